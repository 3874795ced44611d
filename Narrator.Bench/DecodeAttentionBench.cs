using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Narrator.Bench;

/// <summary>The graphs of the kernels benchmark's attention part (<see cref="KernelGraphs"/>), by what they bind.</summary>
internal enum AttentionKind
{
    GroupQuery,
    GroupedSlice,
    GroupedMask,
    GroupedMaskFlushed,
    GroupedPadded,
    Standard,
    TensorScatter,
    ScatterNd,
}

/// <summary>
/// One decode step's attention data at a position: random q, k, v and one fp32 K and V buffer of <c>capacity</c> per
/// layer (several layers, so the cache a step reads is not left in the last-level cache by the step before, as in a
/// decoder whose layers run in turn), filled with random values up to the position. Binds each kind of graph to it,
/// checks every graph's output against GroupQueryAttention's (and each cache write against the row it must write),
/// and times them stepped in turn.
/// </summary>
internal sealed class DecodeAttentionBench : IDisposable
{
    private readonly AttentionShape _shape;
    private readonly int _position;
    private readonly int _capacity;
    private readonly OrtValue[] _keys;
    private readonly OrtValue[] _values;
    private readonly List<OrtValue> _owned = [];
    private readonly OrtValue _q, _k, _v, _kHeads, _kRows, _seqlens, _total, _length, _writeIndex, _indices, _mask, _output;
    private readonly float[] _kData;
    private readonly float[] _outputData;

    public DecodeAttentionBench(AttentionShape shape, int position, int capacity, int layers, int seed)
    {
        _shape = shape;
        _position = position;
        _capacity = capacity;
        var random = new Random(seed);
        float[] Random(int length) => [.. Enumerable.Range(0, length).Select(_ => random.NextSingle() * 2 - 1)];
        int kvWidth = shape.KvHeads * shape.HeadSize;
        var qData = Random(shape.Heads * shape.HeadSize);
        _kData = Random(kvWidth);
        var vData = Random(kvWidth);
        _outputData = new float[shape.Heads * shape.HeadSize];
        var mask = new float[capacity];
        Array.Fill(mask, float.NegativeInfinity, position + 1, capacity - position - 1);
        var indices = new long[shape.KvHeads * 3];
        for (int h = 0; h < shape.KvHeads; h++)
        {
            indices[3 * h + 1] = h;
            indices[3 * h + 2] = position;
        }
        OrtValue Own(OrtValue value)
        {
            _owned.Add(value);
            return value;
        }
        _q = Own(OrtValue.CreateTensorValueFromMemory(qData, [1, 1, qData.Length]));
        _k = Own(OrtValue.CreateTensorValueFromMemory(_kData, [1, 1, kvWidth]));
        _v = Own(OrtValue.CreateTensorValueFromMemory(vData, [1, 1, kvWidth]));
        _kHeads = Own(OrtValue.CreateTensorValueFromMemory(_kData, [1, shape.KvHeads, 1, shape.HeadSize]));
        _kRows = Own(OrtValue.CreateTensorValueFromMemory(_kData, [shape.KvHeads, shape.HeadSize]));
        _seqlens = Own(OrtValue.CreateTensorValueFromMemory(new[] { position }, [1]));
        _total = Own(OrtValue.CreateTensorValueFromMemory(new[] { position + 1 }, []));
        _length = Own(OrtValue.CreateTensorValueFromMemory(new[] { (long)position + 1 }, [1]));
        _writeIndex = Own(OrtValue.CreateTensorValueFromMemory(new[] { (long)position }, [1]));
        _indices = Own(OrtValue.CreateTensorValueFromMemory(indices, [shape.KvHeads, 3]));
        _mask = Own(OrtValue.CreateTensorValueFromMemory(mask, [1, 1, 1, capacity]));
        _output = Own(OrtValue.CreateTensorValueFromMemory(_outputData, [1, 1, _outputData.Length]));
        _keys = new OrtValue[layers];
        _values = new OrtValue[layers];
        for (int layer = 0; layer < layers; layer++)
        {
            _keys[layer] = Own(Cache(random));
            _values[layer] = Own(Cache(random));
        }
    }

    /// <summary>
    /// Runs GroupQueryAttention on the first layer (it writes k and v at the position) and every other attention graph on
    /// the same buffers, which must agree with it; each write graph must put k at the position of the last layer's K and
    /// leave the row before it alone. Throws <see cref="KernelMismatchException"/> otherwise.
    /// </summary>
    public void Check(IReadOnlyList<(string Name, AttentionKind Kind, InferenceSession Session)> sessions, bool report)
    {
        float[]? expected = null;
        foreach (var (name, kind, session) in sessions.OrderBy(s => s.Kind != AttentionKind.GroupQuery))
        {
            using var binding = session.CreateIoBinding();
            using var runOptions = new RunOptions();
            if (kind is AttentionKind.TensorScatter or AttentionKind.ScatterNd)
            {
                int layer = _keys.Length - 1, row = _shape.HeadSize;
                var cache = _keys[layer].GetTensorMutableDataAsSpan<float>();
                int At(int head, int position) => (head * _capacity + position) * row;
                var before = cache.Slice(At(0, _position - 1), row).ToArray();
                for (int h = 0; h < _shape.KvHeads; h++)
                {
                    cache.Slice(At(h, _position), row).Clear();
                }
                Bind(binding, kind, layer);
                session.RunWithBinding(runOptions, binding);
                cache = _keys[layer].GetTensorMutableDataAsSpan<float>();
                for (int h = 0; h < _shape.KvHeads; h++)
                {
                    if (!cache.Slice(At(h, _position), row).SequenceEqual(_kData.AsSpan(h * row, row)))
                    {
                        throw new KernelMismatchException($"{name}: KV head {h} at position {_position} of a capacity-{_capacity} cache does not hold k after the write.");
                    }
                }
                if (!cache.Slice(At(0, _position - 1), row).SequenceEqual(before))
                {
                    throw new KernelMismatchException($"{name}: the row before position {_position} changed.");
                }
                continue;
            }
            Array.Clear(_outputData);
            Bind(binding, kind, 0);
            session.RunWithBinding(runOptions, binding);
            if (expected is null)
            {
                expected = (float[])_outputData.Clone();
                continue;
            }
            double worst = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(_outputData[i] - expected[i]) / (1e-3 + Math.Abs(expected[i])));
            }
            if (!(worst <= 1e-3))
            {
                throw new KernelMismatchException(string.Create(CultureInfo.InvariantCulture,
                    $"{name} differs from GroupQueryAttention at position {_position}: largest relative difference {worst:G3}."));
            }
            if (report)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"check: {name} matches GroupQueryAttention at position {_position} (largest relative difference {worst:G2})"));
            }
        }
    }

    /// <summary>Median milliseconds per step of each graph, all stepped in turn (one step each, next layer every step).</summary>
    public Dictionary<string, double> Time(IReadOnlyList<(string Name, AttentionKind Kind, InferenceSession Session)> sessions, int iterations)
    {
        var bindings = sessions.Select(s => s.Session.CreateIoBinding()).ToArray();
        using var runOptions = new RunOptions();
        var times = sessions.Select(_ => new List<double>()).ToArray();
        try
        {
            int warmup = _keys.Length;
            for (int step = 0; step < warmup + iterations; step++)
            {
                int layer = step % _keys.Length;
                for (int i = 0; i < sessions.Count; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    Bind(bindings[i], sessions[i].Kind, layer);
                    sessions[i].Session.RunWithBinding(runOptions, bindings[i]);
                    if (step >= warmup)
                    {
                        times[i].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }
            }
        }
        finally
        {
            foreach (var binding in bindings)
            {
                binding.Dispose();
            }
        }
        return sessions.Select((s, i) => (s.Name, Median: BenchProcess.Median(times[i]))).ToDictionary(t => t.Name, t => t.Median);
    }

    private void Bind(OrtIoBinding binding, AttentionKind kind, int layer)
    {
        switch (kind)
        {
            case AttentionKind.GroupQuery:
                binding.BindInput("q", _q);
                binding.BindInput("k", _k);
                binding.BindInput("v", _v);
                binding.BindInput("key_cache", _keys[layer]);
                binding.BindInput("value_cache", _values[layer]);
                binding.BindInput("seqlens_k", _seqlens);
                binding.BindInput("total_sequence_length", _total);
                binding.BindOutput("attention", _output);
                binding.BindOutput("present_key", _keys[layer]);
                binding.BindOutput("present_value", _values[layer]);
                break;
            case AttentionKind.GroupedSlice or AttentionKind.GroupedMask or AttentionKind.GroupedMaskFlushed or AttentionKind.GroupedPadded or AttentionKind.Standard:
                binding.BindInput("q", _q);
                binding.BindInput("key_cache", _keys[layer]);
                binding.BindInput("value_cache", _values[layer]);
                binding.BindInput(kind switch { AttentionKind.GroupedSlice or AttentionKind.GroupedPadded => "length", AttentionKind.Standard => "nonpad_kv_seqlen", _ => "mask" },
                    kind is AttentionKind.GroupedMask or AttentionKind.GroupedMaskFlushed ? _mask : _length);
                binding.BindOutput("attention", _output);
                break;
            case AttentionKind.TensorScatter:
                binding.BindInput("cache", _keys[layer]);
                binding.BindInput("update", _kHeads);
                binding.BindInput("write_indices", _writeIndex);
                binding.BindOutput("present", _keys[layer]);
                break;
            case AttentionKind.ScatterNd:
                binding.BindInput("cache", _keys[layer]);
                binding.BindInput("update", _kRows);
                binding.BindInput("indices", _indices);
                binding.BindOutput("present", _keys[layer]);
                break;
        }
    }

    /// <summary>[1, kv heads, capacity, head] with random values in the filled positions and zeros after them.</summary>
    private OrtValue Cache(Random random)
    {
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float,
            [1, _shape.KvHeads, _capacity, _shape.HeadSize]);
        var data = value.GetTensorMutableDataAsSpan<float>();
        int headLength = _capacity * _shape.HeadSize, filled = _position * _shape.HeadSize;
        for (int h = 0; h < _shape.KvHeads; h++)
        {
            var head = data.Slice(h * headLength, headLength);
            for (int i = 0; i < filled; i++)
            {
                head[i] = random.NextSingle() * 2 - 1;
            }
            head[filled..].Clear();
        }
        return value;
    }

    public void Dispose()
    {
        foreach (var value in _owned)
        {
            value.Dispose();
        }
    }
}
