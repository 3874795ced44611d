using Microsoft.ML.OnnxRuntime;

namespace Narrator.Model.Onnx;

/// <summary>
/// Runs the decoder graph over a slice of embeddings for one sequence through an I/O binding: logits land on the CPU
/// (in a caller's preallocated buffer for decode steps), present KV stays where the provider allocated it and replaces
/// the past in the <see cref="KvCache"/>.
/// </summary>
internal sealed class TextDecoder : IDisposable
{
    private readonly ModelPackage _package;
    private readonly GenAiDecoderConfig _names;
    private readonly OrtIoBinding _binding;
    private OrtValue? _boundLogits;

    public TextDecoder(ModelPackage package)
    {
        _package = package;
        _names = package.Config.Model.Decoder;
        _binding = package.Decoder.CreateIoBinding();
    }

    /// <summary>
    /// One forward pass: <paramref name="embeds"/> [1,S,hidden], <paramref name="positionIds"/> [3,1,S],
    /// <paramref name="attentionMask"/> [1,past+S]; extends the cache by S. Logits [1,S,vocab] go into
    /// <paramref name="logitsOutput"/> when given (and null is returned), otherwise into a new value the caller disposes.
    /// </summary>
    public OrtValue? Run(OrtValue embeds, OrtValue positionIds, OrtValue attentionMask, int tokens, KvCache cache, RunOptions runOptions,
        OrtValue? logitsOutput = null)
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

        // Binding a name again replaces it. Presents are rebound every run (a bound output would keep last run's shape);
        // a caller's logits buffer stays bound while it is reused. Outputs come back in binding order.
        if (logitsOutput is null || !ReferenceEquals(logitsOutput, _boundLogits))
        {
            _binding.ClearBoundOutputs();
            if (logitsOutput is null)
            {
                _binding.BindOutputToDevice(_names.Outputs.Logits, OrtMemoryInfo.DefaultInstance);
            }
            else
            {
                _binding.BindOutput(_names.Outputs.Logits, logitsOutput);
            }
            _boundLogits = logitsOutput;
        }
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
        // Released here so the previous past is freed now, not when the next step rebinds.
        _binding.ClearBoundInputs();
        if (logitsOutput is null)
        {
            return outputs[0];
        }
        outputs[0].Dispose();
        return null;
    }

    public void Dispose() => _binding.Dispose();
}
