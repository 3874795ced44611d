using Microsoft.ML.OnnxRuntime;

namespace Narrator.Model.Onnx;

/// <summary>Runs the embedding graph: input_ids [1,S] + image_features [M,hidden] to inputs_embeds [1,S,hidden].</summary>
internal sealed class TokenEmbedder : IDisposable
{
    private readonly ModelPackage _package;
    private readonly GenAiEmbeddingConfig _names;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    // Decode steps embed one token with no image features: both inputs are allocated once and refilled.
    private readonly long[] _singleId = new long[1];
    private readonly OrtValue _singleIdValue;
    private readonly OrtValue _noFeatures;

    public TokenEmbedder(ModelPackage package)
    {
        _package = package;
        _names = package.Config.Model.Embedding;
        _inputNames = [_names.Inputs.InputIds, _names.Inputs.ImageFeatures];
        _outputNames = [_names.Outputs.InputsEmbeds];
        _singleIdValue = OrtValue.CreateTensorValueFromMemory(_singleId, [1, 1]);
        var featureType = package.Embedding.InputMetadata[_names.Inputs.ImageFeatures].ElementDataType;
        _noFeatures = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, featureType, [0, package.Config.Model.Decoder.HiddenSize]);
    }

    /// <summary>Embeds a whole prompt; <paramref name="imageFeatures"/> null means text only.</summary>
    public OrtValue Embed(long[] ids, OrtValue? imageFeatures, RunOptions runOptions)
    {
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]);
        return Run(idsValue, imageFeatures ?? _noFeatures, runOptions);
    }

    public OrtValue EmbedOne(long id, RunOptions runOptions)
    {
        _singleId[0] = id;
        return Run(_singleIdValue, _noFeatures, runOptions);
    }

    private OrtValue Run(OrtValue ids, OrtValue features, RunOptions runOptions)
    {
        // The single output is handed to the caller, who disposes it.
        var outputs = _package.Embedding.Run(runOptions, _inputNames, [ids, features], _outputNames);
        return outputs[0];
    }

    public void Dispose()
    {
        _singleIdValue.Dispose();
        _noFeatures.Dispose();
    }
}
