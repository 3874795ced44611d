namespace Narrator.Model.Onnx;

/// <summary>A model folder that cannot be used (missing file, wrong names, unsupported KV type, bad JSON); the message names the file and the problem.</summary>
public sealed class ModelPackageException(string message, Exception? inner = null) : UserInputException(message, inner);
