using Narrator.Model.Onnx;

namespace Narrator.Web.Services.Engine;

/// <summary>Settings under <c>Narrator:Model</c> for the in-process ONNX engine.</summary>
public sealed class ModelOptions
{
    public const string Section = "Narrator:Model";

    /// <summary>Folder holding a model package (genai_config.json + ONNX files); empty means "write and load the tiny demo model".</summary>
    public string? Path { get; set; }

    /// <summary>Where the sessions run: <c>Provider</c> is Auto (CUDA when available, else CPU), Cuda or Cpu; plus CUDA/thread settings.</summary>
    public ExecutionProviderOptions ExecutionProvider { get; set; } = new();
}
