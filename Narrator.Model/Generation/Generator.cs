using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model.Onnx;

namespace Narrator.Model.Generation;

/// <summary>
/// One sequence on a <see cref="ModelPackage"/>: vision encoder, embedding and a chunked prefill, then one token at a
/// time. The decoder heads the last position of each run only ([1,1,vocab], as <c>narrator convert</c> writes it). The
/// KV cache is fed back as ONNX Runtime values, never copied. Not thread-safe: one generator serves one sequence.
/// </summary>
public sealed class Generator : IDisposable
{
    public const int DefaultPrefillChunkSize = 512;

    private readonly ModelPackage _package;
    private readonly int _prefillChunkSize;
    private readonly int _hidden;
    private readonly int _vocab;
    private readonly TokenEmbedder _embedder;
    private readonly TextDecoder _decoder;
    private readonly KvCache _cache;

    // Decode-step inputs are allocated once: the position buffer is refilled in place, the mask is all ones and only grows.
    private readonly long[] _stepPositions = new long[3];
    private readonly OrtValue _stepPositionsValue;
    private readonly OrtValue? _stepLogits;
    private long[] _mask = [];

    private OrtValue? _features;
    private OrtValue? _logits;
    private bool _logitsOwned;
    private TensorElementType _logitsType;
    private int _logitsLength;
    private float[]? _widenedLogits;
    private long _ropeDelta;

    public Generator(ModelPackage package, int prefillChunkSize = DefaultPrefillChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefillChunkSize, 1);
        _package = package;
        _prefillChunkSize = prefillChunkSize;
        _hidden = package.Config.Model.Decoder.HiddenSize;
        // The graph's static vocabulary dimension, else genai_config's vocab_size (0 if neither: known after prefill).
        int graphVocab = (int)package.Decoder.OutputMetadata[package.Config.Model.Decoder.Outputs.Logits].Dimensions[^1];
        _vocab = graphVocab > 0 ? graphVocab : Math.Max(0, package.Config.Model.VocabSize);
        _embedder = new TokenEmbedder(package);
        _decoder = new TextDecoder(package);
        _cache = KvCache.Empty(package);
        _stepPositionsValue = OrtValue.CreateTensorValueFromMemory(_stepPositions, [3, 1, 1]);
        if (_vocab > 0)
        {
            // Decode-step logits always have shape [1,1,vocab]: one buffer serves every step.
            var logitsType = package.Decoder.OutputMetadata[package.Config.Model.Decoder.Outputs.Logits].ElementDataType;
            _stepLogits = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, logitsType, [1, 1, _vocab]);
        }
    }

    /// <summary>Tokens in the sequence so far (prompt plus appended tokens).</summary>
    public int SequenceLength => _cache.Length;

    /// <summary>Vocabulary size of the logits (may be larger than the tokenizer's, as in Qwen).</summary>
    public int VocabularySize => _vocab > 0 ? _vocab : _logitsLength;

    /// <summary>The sequence's past keys and values, so tests can compare them across prefill strategies and decoder shapes.</summary>
    internal KvCache Cache => _cache;

    public TimeSpan VisionTime { get; private set; }

    public TimeSpan PrefillTime { get; private set; }

    /// <summary>Visual tokens the vision encoder produced for the prompt (0 for text only).</summary>
    public int VisualTokens { get; private set; }

    /// <summary>Logits of the last position as fp32; the sampler may change them in place. Valid until the next step.</summary>
    public Span<float> Logits
    {
        get
        {
            if (_logits is null)
            {
                throw new InvalidOperationException("No logits yet: prefill the prompt first.");
            }
            if (_widenedLogits is not null)
            {
                return _widenedLogits;
            }
            return _logits.GetTensorMutableDataAsSpan<float>()[.._logitsLength];
        }
    }

    /// <summary>Runs the vision encoder on the prompt's pixel values (a no-op for text-only prompts).</summary>
    public void EncodeVision(GeneratorPrompt prompt, RunOptions runOptions)
    {
        if (_features is not null || prompt.PixelValues is null || prompt.Grid is not { } grid)
        {
            return;
        }
        var stopwatch = Stopwatch.StartNew();
        _features = VisionEncoder.Encode(_package, prompt.PixelValues, grid, runOptions);
        VisualTokens = (int)_features.GetTensorTypeAndShape().Shape[0];
        VisionTime = stopwatch.Elapsed;
    }

    /// <summary>
    /// Encodes the visual input (unless <see cref="EncodeVision"/> already did), embeds the prompt and prefills it in
    /// chunks. <paramref name="onPositionLogits"/> (tests) sees the logits of the last position of each chunk.
    /// </summary>
    public void Prefill(GeneratorPrompt prompt, RunOptions runOptions, Action<int, ReadOnlySpan<float>>? onPositionLogits = null)
    {
        if (_cache.Length > 0)
        {
            throw new InvalidOperationException("This generator already holds a sequence; create a new one per prompt.");
        }
        int length = prompt.Ids.Length;
        if (length == 0 || prompt.PositionIds.Length != 3 * length)
        {
            throw new ArgumentException($"A prompt needs ids and 3 x {length} position ids (got {prompt.PositionIds.Length}).", nameof(prompt));
        }
        var model = _package.Config.Model;
        var ids = new long[length];
        int imageTokens = 0;
        for (int i = 0; i < length; i++)
        {
            // The embedding graph replaces positions holding the image token id; video pads take the same rows.
            long id = prompt.Ids[i];
            ids[i] = id == model.VideoTokenId ? model.ImageTokenId : id;
            imageTokens += ids[i] == model.ImageTokenId ? 1 : 0;
        }

        EncodeVision(prompt, runOptions);
        if (VisualTokens != imageTokens)
        {
            throw new InvalidOperationException(
                $"The prompt holds {imageTokens} visual pad tokens but the vision encoder produced {VisualTokens} features.");
        }
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var embeds = _embedder.Embed(ids, _features, runOptions);
            _features?.Dispose();
            _features = null;
            PrefillChunks(embeds, prompt, runOptions, onPositionLogits);
            _ropeDelta = prompt.RopeDelta;
        }
        finally
        {
            _features?.Dispose();
            _features = null;
        }
        PrefillTime = stopwatch.Elapsed;
    }

    /// <summary>Appends one token (position past + rope delta on all three axes) and computes the next logits.</summary>
    public void Append(int tokenId, RunOptions runOptions)
    {
        if (_cache.Length == 0)
        {
            throw new InvalidOperationException("Prefill the prompt before appending tokens.");
        }
        long position = _cache.Length + _ropeDelta;
        _stepPositions[0] = position;
        _stepPositions[1] = position;
        _stepPositions[2] = position;
        var embeds = _embedder.EmbedOne(tokenId, runOptions);
        using var mask = MaskValue(_cache.Length + 1);
        var logits = _decoder.Run(embeds, _stepPositionsValue, mask, 1, _cache, runOptions, _stepLogits);
        SetLogits(logits ?? _stepLogits!, 1, owned: logits is not null);
    }

    public void Dispose()
    {
        _features?.Dispose();
        if (_logitsOwned)
        {
            _logits?.Dispose();
        }
        _stepLogits?.Dispose();
        _cache.Dispose();
        _decoder.Dispose();
        _embedder.Dispose();
        _stepPositionsValue.Dispose();
    }

    private unsafe void PrefillChunks(OrtValue embeds, GeneratorPrompt prompt, RunOptions runOptions, Action<int, ReadOnlySpan<float>>? onPositionLogits)
    {
        int length = prompt.Ids.Length;
        var embedsInfo = embeds.GetTensorTypeAndShape();
        int elementSize = (int)((long)embeds.GetTensorSizeInBytes() / Math.Max(1L, embedsInfo.ElementCount));
        // Chunks are views into the embedding output (native CPU memory that does not move), not copies.
        var embedsBase = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(embeds.GetTensorMutableRawData()));
        long rowBytes = (long)_hidden * elementSize;

        for (int start = 0; start < length; start += _prefillChunkSize)
        {
            int count = Math.Min(_prefillChunkSize, length - start);
            using var chunk = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, embedsInfo.ElementDataType,
                [1, count, _hidden], (IntPtr)(embedsBase + start * rowBytes), count * rowBytes);
            var positions = new long[3 * count];
            for (int axis = 0; axis < 3; axis++)
            {
                Array.Copy(prompt.PositionIds, axis * length + start, positions, axis * count, count);
            }
            using var positionValue = OrtValue.CreateTensorValueFromMemory(positions, [3, 1, count]);
            using var mask = MaskValue(start + count);
            SetLogits(_decoder.Run(chunk, positionValue, mask, count, _cache, runOptions)!, count, owned: true);
            onPositionLogits?.Invoke(start + count - 1, Logits);
        }
    }

    /// <summary>Takes one run's logits (of its last position) as the current ones.</summary>
    private void SetLogits(OrtValue logits, int tokens, bool owned)
    {
        if (_logitsOwned && !ReferenceEquals(_logits, logits))
        {
            _logits?.Dispose();
        }
        if (!ReferenceEquals(_logits, logits))
        {
            var info = logits.GetTensorTypeAndShape();
            _logitsType = info.ElementDataType;
            _logitsLength = (int)info.Shape[^1];
            int rows = info.Shape.Length >= 2 ? (int)info.Shape[^2] : 1;
            if (rows != 1)
            {
                throw new ModelPackageException(
                    $"The decoder returned logits for {rows} positions of a {tokens}-token run; Narrator runs decoders that head the last position only.");
            }
        }
        _logits = logits;
        _logitsOwned = owned;
        WidenIfNeeded();
    }

    /// <summary>fp16/bf16 logits (fp16 exports) are widened to fp32 for the sampler; fp32 logits are used in place.</summary>
    private void WidenIfNeeded()
    {
        if (_logitsType == TensorElementType.Float)
        {
            _widenedLogits = null;
            return;
        }
        int length = _logitsLength;
        _widenedLogits ??= new float[length];
        if (_logitsType == TensorElementType.Float16)
        {
            var row = _logits!.GetTensorDataAsSpan<Float16>()[..length];
            for (int i = 0; i < length; i++)
            {
                _widenedLogits[i] = (float)row[i];
            }
        }
        else
        {
            var row = _logits!.GetTensorDataAsSpan<BFloat16>()[..length];
            for (int i = 0; i < length; i++)
            {
                _widenedLogits[i] = (float)row[i];
            }
        }
    }

    private OrtValue MaskValue(int total)
    {
        if (_mask.Length < total)
        {
            // Grows by doubling, so the all-ones mask costs O(log n) allocations over a whole generation.
            _mask = new long[Math.Max(total, Math.Max(1024, _mask.Length * 2))];
            Array.Fill(_mask, 1L);
        }
        return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<long>(_mask, 0, total), [1, total]);
    }
}
