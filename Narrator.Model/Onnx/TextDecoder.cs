using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Narrator.Model.Onnx;

/// <summary>
/// Runs the decoder graph over a slice of embeddings for one sequence through an I/O binding set up once: the KV buffers
/// (bound as past and present, see <see cref="KvCache"/>) and the [1,1,vocab] logits of the last position stay bound for
/// the whole request, and the all-ones attention mask is a view of a buffer sized to the cache. A decode step binds only
/// its embeddings, positions and a mask view; nothing grows with the position.
/// </summary>
internal sealed class TextDecoder : IDisposable
{
    private readonly ModelPackage _package;
    private readonly GenAiDecoderConfig _names;
    private readonly KvCache _cache;
    private readonly OrtIoBinding _binding;
    private readonly OrtValue _maskBuffer;
    private readonly IntPtr _maskAddress;

    public TextDecoder(ModelPackage package, KvCache cache)
    {
        _package = package;
        _names = package.Config.Model.Decoder;
        _cache = cache;
        var logitsInfo = package.Decoder.OutputMetadata[_names.Outputs.Logits];
        long vocab = logitsInfo.Dimensions[^1] > 0 ? logitsInfo.Dimensions[^1] : package.Config.Model.VocabSize;
        Logits = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, logitsInfo.ElementDataType, [1, 1, vocab]);
        _maskBuffer = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Int64, [1, cache.Capacity]);
        _maskBuffer.GetTensorMutableDataAsSpan<long>().Fill(1L);
        _maskAddress = _maskBuffer.DataAddress();
        _binding = package.Decoder.CreateIoBinding();
        _binding.BindOutput(_names.Outputs.Logits, Logits);
        for (int layer = 0; layer < cache.Layers; layer++)
        {
            // Same OrtValue as input and output: GroupQueryAttention sees equal pointers and appends in place.
            _binding.BindInput(_names.PastKeyName(layer), cache.Key(layer));
            _binding.BindInput(_names.PastValueName(layer), cache.Value(layer));
            _binding.BindOutput(_names.PresentKeyName(layer), cache.Key(layer));
            _binding.BindOutput(_names.PresentValueName(layer), cache.Value(layer));
        }
    }

    /// <summary>The last position's logits [1,1,vocab] on the CPU, overwritten by every run.</summary>
    public OrtValue Logits { get; }

    public int VocabularySize => (int)Logits.GetTensorTypeAndShape().Shape[^1];

    /// <summary>
    /// One forward pass: <paramref name="embeds"/> [1,S,hidden] and <paramref name="positionIds"/> [3,1,S] after the
    /// cached tokens; extends the cache by S and leaves the last position's logits in <see cref="Logits"/>.
    /// </summary>
    public void Run(OrtValue embeds, OrtValue positionIds, int tokens, RunOptions runOptions)
    {
        _cache.EnsureRoom(tokens);
        int total = _cache.Length + tokens;
        using var mask = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Int64, [1, total],
            _maskAddress, total * sizeof(long));
        var inputs = _names.Inputs;
        _binding.BindInput(inputs.InputsEmbeds, embeds);
        _binding.BindInput(inputs.PositionIds, positionIds);
        _binding.BindInput(inputs.AttentionMask, mask);
        _package.Decoder.RunWithBinding(runOptions, _binding);
        _cache.Advance(tokens);
    }

    public void Dispose()
    {
        _binding.Dispose();
        _maskBuffer.Dispose();
        Logits.Dispose();
    }
}
