using Microsoft.ML.OnnxRuntime;

namespace Narrator.Model.Onnx;

/// <summary>Runs the embedding graph: input_ids [1,S] + image_features [M,hidden] to inputs_embeds [1,S,hidden].</summary>
internal sealed class TokenEmbedder : IDisposable
{
    private readonly ModelPackage _package;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    // Decode steps embed one token with no image features into one preallocated [1,1,hidden] output:
    // the binding is set up once and each step only refills the id.
    private readonly long[] _singleId = new long[1];
    private readonly OrtValue _singleIdValue;
    private readonly OrtValue _noFeatures;
    private readonly OrtValue _stepEmbeds;
    private readonly OrtIoBinding _stepBinding;

    public TokenEmbedder(ModelPackage package)
    {
        _package = package;
        var names = package.Config.Model.Embedding;
        int hidden = package.Config.Model.Decoder.HiddenSize;
        _inputNames = [names.Inputs.InputIds, names.Inputs.ImageFeatures];
        _outputNames = [names.Outputs.InputsEmbeds];
        _singleIdValue = OrtValue.CreateTensorValueFromMemory(_singleId, [1, 1]);
        var featureType = package.Embedding.InputMetadata[names.Inputs.ImageFeatures].ElementDataType;
        _noFeatures = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, featureType, [0, hidden]);
        var embedsType = package.Embedding.OutputMetadata[names.Outputs.InputsEmbeds].ElementDataType;
        _stepEmbeds = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, embedsType, [1, 1, hidden]);
        _stepBinding = package.Embedding.CreateIoBinding();
        _stepBinding.BindInput(names.Inputs.InputIds, _singleIdValue);
        _stepBinding.BindInput(names.Inputs.ImageFeatures, _noFeatures);
        _stepBinding.BindOutput(names.Outputs.InputsEmbeds, _stepEmbeds);
    }

    /// <summary>Embeds a whole prompt; <paramref name="imageFeatures"/> null means text only. The caller disposes the result.</summary>
    public OrtValue Embed(long[] ids, OrtValue? imageFeatures, RunOptions runOptions)
    {
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]);
        var outputs = _package.Embedding.Run(runOptions, _inputNames, [idsValue, imageFeatures ?? _noFeatures], _outputNames);
        return outputs[0];
    }

    /// <summary>Embeds one generated token into the embedder's own [1,1,hidden] buffer (valid until the next call; not to be disposed).</summary>
    public OrtValue EmbedOne(long id, RunOptions runOptions)
    {
        _singleId[0] = id;
        _package.Embedding.RunWithBinding(runOptions, _stepBinding);
        return _stepEmbeds;
    }

    public void Dispose()
    {
        _stepBinding.Dispose();
        _stepEmbeds.Dispose();
        _singleIdValue.Dispose();
        _noFeatures.Dispose();
    }
}
