using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model.Onnx;

namespace Narrator.Model.Generation;

/// <summary>
/// One sequence on a <see cref="ModelPackage"/>: vision encoder, embedding and a chunked prefill, then one token at a
/// time. The KV cache is sized once for the request (prompt plus new tokens) and written in place by the decoder; the
/// decoder heads the last position only, so each run leaves one [1,1,vocab] row in a buffer bound for the whole request.
/// Not thread-safe: one instance serves one sequence. (onnxruntime-genai calls this a Generator; here the
/// <see cref="NarrationGenerator"/> is the in-process engine that opens one per request.)
/// </summary>
public sealed class ModelSequence : IDisposable
{
    public const int DefaultPrefillChunkSize = 512;

    /// <summary>
    /// GroupQueryAttention keeps fp32 scores [heads, chunk, buffer length] per run, and with a shared buffer that length is
    /// the whole capacity: chunks are cut so those scores stay under this (32k tokens of 7B: 146-token chunks, not 512).
    /// </summary>
    public const long PrefillScoreBudgetBytes = 256L << 20;

    private readonly ModelPackage _package;
    private readonly int _prefillChunkSize;
    private readonly int _hidden;
    private readonly TokenEmbedder _embedder;
    private readonly KvCache _cache;
    private readonly TextDecoder _decoder;

    // Decode-step positions are allocated once and refilled in place.
    private readonly long[] _stepPositions = new long[3];
    private readonly OrtValue _stepPositionsValue;
    private readonly TensorElementType _logitsType;
    private readonly float[]? _widenedLogits;
    private bool _hasLogits;

    private OrtValue? _features;
    private long _ropeDelta;

    /// <summary>
    /// A generator whose KV cache holds <paramref name="capacity"/> tokens (the prompt plus the new tokens, within the
    /// package's context): the memory is taken now, once, and never grows.
    /// </summary>
    public ModelSequence(ModelPackage package, int capacity, int prefillChunkSize = DefaultPrefillChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefillChunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (capacity > package.Context.Tokens)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity,
                $"The model holds {package.Context.Describe()} per request; a cache of {capacity} tokens is more than it can use.");
        }
        _package = package;
        long scoreBytesPerToken = (long)package.Config.Model.Decoder.NumAttentionHeads * capacity * sizeof(float);
        _prefillChunkSize = (int)Math.Clamp(PrefillScoreBudgetBytes / scoreBytesPerToken, 1, prefillChunkSize);
        _hidden = package.Config.Model.Decoder.HiddenSize;
        _embedder = new TokenEmbedder(package);
        _cache = KvCache.Create(package, capacity);
        try
        {
            _decoder = new TextDecoder(package, _cache);
        }
        catch
        {
            _cache.Dispose();
            _embedder.Dispose();
            throw;
        }
        _stepPositionsValue = OrtValue.CreateTensorValueFromMemory(_stepPositions, [3, 1, 1]);
        _logitsType = _decoder.Logits.GetTensorTypeAndShape().ElementDataType;
        if (_logitsType != TensorElementType.Float)
        {
            _widenedLogits = new float[_decoder.VocabularySize];
        }
    }

    /// <summary>Tokens in the sequence so far (prompt plus appended tokens).</summary>
    public int SequenceLength => _cache.Length;

    /// <summary>Tokens the sequence may reach (the KV cache's size).</summary>
    public int Capacity => _cache.Capacity;

    /// <summary>Prompt tokens per decoder run during prefill: the requested size, or fewer for a large cache (<see cref="PrefillScoreBudgetBytes"/>).</summary>
    public int PrefillChunkSize => _prefillChunkSize;

    /// <summary>Vocabulary size of the logits (may be larger than the tokenizer's, as in Qwen).</summary>
    public int VocabularySize => _decoder.VocabularySize;

    /// <summary>The sequence's past keys and values, so tests can compare them across prefill strategies.</summary>
    internal KvCache Cache => _cache;

    /// <summary>Where the decoder writes the logits (tests check that it never moves).</summary>
    internal IntPtr LogitsAddress => _decoder.Logits.DataAddress();

    public TimeSpan VisionTime { get; private set; }

    public TimeSpan PrefillTime { get; private set; }

    /// <summary>Visual tokens the vision encoder produced for the prompt (0 for text only).</summary>
    public int VisualTokens { get; private set; }

    /// <summary>Logits of the last position as fp32; the sampler may change them in place. Valid until the next step.</summary>
    public Span<float> Logits
    {
        get
        {
            if (!_hasLogits)
            {
                throw new InvalidOperationException("No logits yet: prefill the prompt first.");
            }
            return _widenedLogits ?? _decoder.Logits.GetTensorMutableDataAsSpan<float>();
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
    /// chunks. <paramref name="onChunkLogits"/> (tests) sees the logits at the last position of each chunk.
    /// </summary>
    public void Prefill(GeneratorPrompt prompt, RunOptions runOptions, Action<int, ReadOnlySpan<float>>? onChunkLogits = null)
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
        _cache.EnsureRoom(length);
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
            PrefillChunks(embeds, prompt, runOptions, onChunkLogits);
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
        _decoder.Run(embeds, _stepPositionsValue, 1, runOptions);
        LogitsReady();
    }

    public void Dispose()
    {
        _features?.Dispose();
        _decoder.Dispose();
        _cache.Dispose();
        _embedder.Dispose();
        _stepPositionsValue.Dispose();
    }

    private void PrefillChunks(OrtValue embeds, GeneratorPrompt prompt, RunOptions runOptions, Action<int, ReadOnlySpan<float>>? onChunkLogits)
    {
        int length = prompt.Ids.Length;
        var embedsInfo = embeds.GetTensorTypeAndShape();
        int elementSize = (int)((long)embeds.GetTensorSizeInBytes() / Math.Max(1L, embedsInfo.ElementCount));
        // Chunks are views into the embedding output (native CPU memory that does not move), not copies.
        IntPtr embedsBase = embeds.DataAddress();
        long rowBytes = (long)_hidden * elementSize;

        for (int start = 0; start < length; start += _prefillChunkSize)
        {
            int count = Math.Min(_prefillChunkSize, length - start);
            using var chunk = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, embedsInfo.ElementDataType,
                [1, count, _hidden], embedsBase + (nint)(start * rowBytes), count * rowBytes);
            var positions = new long[3 * count];
            for (int axis = 0; axis < 3; axis++)
            {
                Array.Copy(prompt.PositionIds, axis * length + start, positions, axis * count, count);
            }
            using var positionValue = OrtValue.CreateTensorValueFromMemory(positions, [3, 1, count]);
            _decoder.Run(chunk, positionValue, count, runOptions);
            LogitsReady();
            onChunkLogits?.Invoke(start + count - 1, Logits);
        }
    }

    /// <summary>fp16/bf16 logits are widened to fp32 for the sampler; fp32 logits are read in place.</summary>
    private void LogitsReady()
    {
        _hasLogits = true;
        if (_widenedLogits is null)
        {
            return;
        }
        var logits = _decoder.Logits;
        if (_logitsType == TensorElementType.Float16)
        {
            var row = logits.GetTensorDataAsSpan<Float16>();
            for (int i = 0; i < _widenedLogits.Length; i++)
            {
                _widenedLogits[i] = (float)row[i];
            }
        }
        else
        {
            var row = logits.GetTensorDataAsSpan<BFloat16>();
            for (int i = 0; i < _widenedLogits.Length; i++)
            {
                _widenedLogits[i] = (float)row[i];
            }
        }
    }
}
