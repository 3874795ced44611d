using Microsoft.ML.OnnxRuntime;

namespace Narrator.Model.Onnx;

/// <summary>
/// Runs the decoder graph over a slice of embeddings for one sequence through an I/O binding: logits land on the CPU,
/// present KV stays where the provider allocated it and replaces the past in the <see cref="KvCache"/>.
/// </summary>
internal sealed class TextDecoder : IDisposable
{
    private readonly ModelPackage _package;
    private readonly GenAiDecoderConfig _names;
    private readonly OrtIoBinding _binding;

    public TextDecoder(ModelPackage package)
    {
        _package = package;
        _names = package.Config.Model.Decoder;
        _binding = package.Decoder.CreateIoBinding();
    }

    /// <summary>
    /// One forward pass: <paramref name="embeds"/> [1,S,hidden], <paramref name="positionIds"/> [3,1,S],
    /// <paramref name="attentionMask"/> [1,past+S]. Returns the logits [1,S,vocab] (caller disposes) and extends the cache by S.
    /// </summary>
    public OrtValue Run(OrtValue embeds, OrtValue positionIds, OrtValue attentionMask, int tokens, KvCache cache, RunOptions runOptions)
    {
        var inputs = _names.Inputs;
        _binding.BindInput(inputs.InputsEmbeds, embeds);
        _binding.BindInput(inputs.PositionIds, positionIds);
        _binding.BindInput(inputs.AttentionMask, attentionMask);
        for (int layer = 0; layer < cache.Layers; layer++)
        {
            _binding.BindInput(_names.PastKeyName(layer), cache.Key(layer));
            _binding.BindInput(_names.PastValueName(layer), cache.Value(layer));
        }

        // Outputs are bound afresh each run (a bound output keeps last run's shape); they come back in binding order:
        // logits, then present key/value per layer.
        _binding.ClearBoundOutputs();
        _binding.BindOutputToDevice(_names.Outputs.Logits, OrtMemoryInfo.DefaultInstance);
        for (int layer = 0; layer < cache.Layers; layer++)
        {
            _binding.BindOutputToDevice(_names.PresentKeyName(layer), _package.KvMemory);
            _binding.BindOutputToDevice(_names.PresentValueName(layer), _package.KvMemory);
        }
        var outputs = _package.Decoder.RunWithBoundResults(runOptions, _binding);
        for (int layer = 0; layer < cache.Layers; layer++)
        {
            cache.Replace(layer, outputs[1 + 2 * layer], outputs[2 + 2 * layer]);
        }
        cache.Advance(tokens);
        _binding.ClearBoundInputs();
        return outputs[0];
    }

    public void Dispose() => _binding.Dispose();
}
