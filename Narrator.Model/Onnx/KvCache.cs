using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Narrator.Model.Onnx;

/// <summary>
/// Past keys and values of one sequence: one buffer per layer [1, kv_heads, capacity, head_size], allocated once for the
/// request (in device memory on CUDA) and bound as both the decoder's past input and its present output.
/// GroupQueryAttention sees the same pointer and writes the new tokens' keys in place, so nothing is copied or allocated
/// per token, and the memory a request takes is known when it starts. For a package with the grouped decode step
/// (narrator convert --decode-attention grouped) the buffers start zeroed: it multiplies zero weights with the unfilled
/// rows of the value buffer, and 0 × whatever the allocator left there (NaN, Inf) would not be 0.
/// </summary>
internal sealed class KvCache : IDisposable
{
    private readonly OrtValue[] _keys;
    private readonly OrtValue[] _values;
    private readonly OrtAllocator? _deviceAllocator;

    private KvCache(OrtValue[] keys, OrtValue[] values, int capacity, TensorElementType type, OrtAllocator? deviceAllocator)
    {
        _keys = keys;
        _values = values;
        Capacity = capacity;
        ElementType = type;
        _deviceAllocator = deviceAllocator;
    }

    /// <summary>Tokens already in the cache (the past length of the next step).</summary>
    public int Length { get; private set; }

    /// <summary>Tokens the cache can hold; a run that would pass it is refused before ONNX Runtime sees it.</summary>
    public int Capacity { get; }

    public TensorElementType ElementType { get; }

    public int Layers => _keys.Length;

    /// <summary>A cache for up to <paramref name="capacity"/> tokens, its memory taken now.</summary>
    public static KvCache Create(ModelPackage package, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var decoder = package.Config.Model.Decoder;
        long[] shape = [1, decoder.NumKeyValueHeads, capacity, decoder.HeadSize];
        // CUDA: the buffers live in device memory, through an allocator of the decoder session's device.
        var deviceAllocator = package.Provider.IsCuda ? new OrtAllocator(package.Decoder, package.KvMemory) : null;
        var allocator = deviceAllocator ?? OrtAllocator.DefaultInstance;
        var keys = new OrtValue[decoder.NumHiddenLayers];
        var values = new OrtValue[decoder.NumHiddenLayers];
        // Only the grouped decode step reads unfilled rows (GroupQueryAttention never does): other packages skip the memset,
        // which would make the whole buffer resident at once. Device buffers are zeroed by a copy from one zeroed host tensor.
        bool zero = package.DecoderGraph.GroupedDecodeStepLayers > 0;
        using var zeros = !zero || deviceAllocator is null ? null : OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, package.KvElementType, shape);
        zeros?.GetTensorMutableRawData().Clear();
        try
        {
            for (int layer = 0; layer < keys.Length; layer++)
            {
                keys[layer] = OrtValue.CreateAllocatedTensorValue(allocator, package.KvElementType, shape);
                values[layer] = OrtValue.CreateAllocatedTensorValue(allocator, package.KvElementType, shape);
                if (zero)
                {
                    Zero(keys[layer], zeros);
                    Zero(values[layer], zeros);
                }
            }
        }
        catch
        {
            DisposeAll(keys, values);
            deviceAllocator?.Dispose();
            throw;
        }
        return new KvCache(keys, values, capacity, package.KvElementType, deviceAllocator);
    }

    private static void Zero(OrtValue buffer, OrtValue? deviceZeros)
    {
        if (deviceZeros is null)
        {
            buffer.GetTensorMutableRawData().Clear();
        }
        else
        {
            OrtEnv.Instance().CopyTensors([deviceZeros], [buffer], null);
        }
    }

    /// <summary>Bytes one token takes in every layer's keys and values.</summary>
    public static long BytesPerToken(ModelPackage package)
    {
        var decoder = package.Config.Model.Decoder;
        int elementSize = package.KvElementType == TensorElementType.Float ? 4 : 2;
        return 2L * decoder.NumHiddenLayers * decoder.NumKeyValueHeads * decoder.HeadSize * elementSize;
    }

    public OrtValue Key(int layer) => _keys[layer];

    public OrtValue Value(int layer) => _values[layer];

    /// <summary>Refuses a run of <paramref name="tokens"/> that would pass the capacity, in words, before ONNX Runtime writes past the buffer.</summary>
    public void EnsureRoom(int tokens)
    {
        if ((long)Length + tokens > Capacity)
        {
            throw new InvalidOperationException(
                $"The KV cache holds {Capacity} tokens and {Length} are used; {tokens} more do not fit. Size the generator for the prompt plus the new tokens.");
        }
    }

    public void Advance(int tokens) => Length += tokens;

    /// <summary>
    /// The first <see cref="Length"/> positions of one layer's keys or values as fp32 [kv_heads, Length, head_size]
    /// (tests compare caches across strategies; CPU memory only).
    /// </summary>
    public float[] Read(int layer, bool values)
    {
        var tensor = values ? _values[layer] : _keys[layer];
        var shape = tensor.GetTensorTypeAndShape().Shape;
        int heads = (int)shape[1], rows = (int)shape[2], head = (int)shape[3];
        var all = ElementType switch
        {
            TensorElementType.Float => tensor.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Float16 => [.. tensor.GetTensorDataAsSpan<Float16>().ToArray().Select(v => (float)v)],
            _ => [.. tensor.GetTensorDataAsSpan<BFloat16>().ToArray().Select(v => (float)v)],
        };
        var result = new float[heads * Length * head];
        for (int h = 0; h < heads; h++)
        {
            Array.Copy(all, h * rows * head, result, h * Length * head, Length * head);
        }
        return result;
    }

    /// <summary>Native address of one layer's key buffer: tests check that a shared buffer never moves.</summary>
    public IntPtr KeyAddress(int layer) => _keys[layer].DataAddress();

    public IntPtr ValueAddress(int layer) => _values[layer].DataAddress();

    public void Dispose()
    {
        DisposeAll(_keys, _values);
        _deviceAllocator?.Dispose();
    }

    private static void DisposeAll(OrtValue?[] keys, OrtValue?[] values)
    {
        for (int layer = 0; layer < keys.Length; layer++)
        {
            keys[layer]?.Dispose();
            values[layer]?.Dispose();
        }
    }
}
