using Microsoft.ML.OnnxRuntime;

namespace Narrator.Model.Onnx;

/// <summary>
/// Past keys and values of one sequence as ONNX Runtime values: each step's present tensors are kept as they are
/// (in device memory on CUDA) and fed back as the next past; the previous ones are released, never copied.
/// </summary>
internal sealed class KvCache : IDisposable
{
    private readonly OrtValue[] _keys;
    private readonly OrtValue[] _values;

    private KvCache(OrtValue[] keys, OrtValue[] values)
    {
        _keys = keys;
        _values = values;
    }

    /// <summary>Tokens already in the cache (the past length of the next step).</summary>
    public int Length { get; private set; }

    public int Layers => _keys.Length;

    public static KvCache Empty(ModelPackage package)
    {
        var decoder = package.Config.Model.Decoder;
        long[] shape = [1, decoder.NumKeyValueHeads, 0, decoder.HeadSize];
        var keys = new OrtValue[decoder.NumHiddenLayers];
        var values = new OrtValue[decoder.NumHiddenLayers];
        for (int layer = 0; layer < keys.Length; layer++)
        {
            keys[layer] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, package.KvElementType, shape);
            values[layer] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, package.KvElementType, shape);
        }
        return new KvCache(keys, values);
    }

    public OrtValue Key(int layer) => _keys[layer];

    public OrtValue Value(int layer) => _values[layer];

    /// <summary>Takes ownership of one step's present tensors and releases the previous past.</summary>
    public void Replace(int layer, OrtValue presentKey, OrtValue presentValue)
    {
        _keys[layer].Dispose();
        _values[layer].Dispose();
        _keys[layer] = presentKey;
        _values[layer] = presentValue;
    }

    public void Advance(int tokens) => Length += tokens;

    public void Dispose()
    {
        for (int layer = 0; layer < _keys.Length; layer++)
        {
            _keys[layer].Dispose();
            _values[layer].Dispose();
        }
    }
}
