using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Narrator.Model;
using Narrator.Model.Onnx;

namespace Narrator.Bench;

/// <summary>
/// What ONNX Runtime's own CPU kernels reach at Qwen2.5-VL-7B's decode shapes, each in a tiny single-purpose graph:
/// (gemv) one MatMulNBits at M=1 per 7B layer shape and the LM head, by block size, accuracy level and thread count,
/// q/k/v and gate/up packed into one node or not, as GB/s of weights streamed against a large copy timed in the same
/// run; (attention) one layer's decode attention at two positions over a preallocated fp32 cache: GroupQueryAttention
/// as the decoder uses it, the query heads of a KV head grouped into one product, the standard Attention (opset 24),
/// and in-place cache writes (TensorScatter, ScatterND) at two capacities. Every variant's output is checked (against
/// a C# reference, or against GroupQueryAttention on the same data) before it is timed; medians over runs.
/// </summary>
internal sealed class KernelsBenchmark : IBenchmark
{
    public string Name => "kernels";

    public string Description =>
        "ORT's CPU kernels at 7B decode shapes: int4 GEMV GB/s vs copy bandwidth, decode attention variants at two positions: [--part gemv,attention] [--runs N] [--iterations I] [--threads 1,2] [--blocks 32,64,128] [--accuracy 4,1] [--stream-mib M] [--positions 100,4000] [--capacities 4200,32768] [--layers L] [--copy-mib M] [--spinning on|off (default off)]";

    private static readonly GemvShape[] Shapes =
    [
        new("q, o", 3584, 3584),
        new("k, v", 512, 3584),
        new("gate, up", 18944, 3584),
        new("down", 3584, 18944),
        new("q|k|v packed", 4608, 3584),
        new("gate|up packed", 37888, 3584),
        new("LM head", 152064, 3584),
    ];

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        KernelsOptions options;
        try
        {
            options = KernelsOptions.Parse(args);
        }
        catch (UserInputException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {BenchProcess.MemTotalBytes() / (double)(1L << 30):F1} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, load {BenchProcess.LoadAverage()}; ORT intra-op spinning {(options.Spinning ? "on" : "off")}");
        var copy = new CopyBandwidth(options.CopyMebibytes);
        try
        {
            if (options.Gemv)
            {
                RunGemv(options, copy, cancellationToken);
            }
            if (options.Attention)
            {
                RunAttention(options, copy, cancellationToken);
            }
        }
        catch (KernelMismatchException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
        Console.WriteLine($"load after: {BenchProcess.LoadAverage()}");
        await Task.CompletedTask;
        return 0;
    }

    private static void RunGemv(KernelsOptions options, CopyBandwidth copy, CancellationToken cancellationToken)
    {
        var perNode = new Dictionary<(int Block, int Accuracy, int Threads, string Shape), List<double>>();
        var bytes = new Dictionary<(int Block, string Shape), long>();
        var bandwidth = new List<double>();
        long streamBytes = (long)options.StreamMebibytes << 20;
        // No warm-up run: every measurement runs its graph three times before it is timed.
        for (int run = 1; run <= options.Runs; run++)
        {
            foreach (int block in options.Blocks)
            {
                foreach (var shape in Shapes)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    // Enough copies of the weight that one run streams streamBytes: a decode step's weights never sit in the L3.
                    var random = new Random(shape.N * 31 + block);
                    var first = Int4Weight.Random(shape.N, shape.K, block, random);
                    int replicas = (int)Math.Max(1, (streamBytes + first.Bytes - 1) / first.Bytes);
                    var weights = new List<Int4Weight> { first };
                    while (weights.Count < replicas)
                    {
                        weights.Add(Int4Weight.Random(shape.N, shape.K, block, random));
                    }
                    var x = new float[shape.K];
                    for (int i = 0; i < x.Length; i++)
                    {
                        x[i] = (float)(random.NextDouble() * 2 - 1);
                    }
                    bytes[(block, shape.Name)] = first.Bytes;
                    var models = options.Accuracies.ToDictionary(a => a, a => KernelGraphs.Gemv(weights, a));
                    // The graphs hold their own copies; only the first weight is kept for the check.
                    weights.RemoveRange(1, weights.Count - 1);
                    foreach (int accuracy in options.Accuracies)
                    {
                        foreach (int threads in options.Threads)
                        {
                            bandwidth.Add(copy.Measure());
                            double ms = TimeGemv(models[accuracy], first, x, accuracy, threads, options) / replicas;
                            GC.Collect();
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"run {run}: gemv {shape.Name,-15} {shape.K}->{shape.N} block {block} accuracy {accuracy} threads {threads}: {ms:F3} ms/node, {first.Bytes / ms / 1e6:F1} GB/s ({replicas} nodes per run)"));
                            var key = (block, accuracy, threads, shape.Name);
                            (perNode.TryGetValue(key, out var list) ? list : perNode[key] = []).Add(ms);
                        }
                    }
                }
            }
        }

        double copyMedian = BenchProcess.Median(bandwidth);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BANDWIDTH large copy of {options.CopyMebibytes} MiB on {Environment.ProcessorCount} threads before each measurement (read + write counted, as STREAM Copy): median {copyMedian / 1e9:F2} GB/s, best {bandwidth.Max() / 1e9:F2} GB/s"));
        foreach (int block in options.Blocks)
        {
            foreach (int accuracy in options.Accuracies)
            {
                foreach (int threads in options.Threads)
                {
                    double T(string shape) => BenchProcess.Median(perNode[(block, accuracy, threads, shape)]);
                    long B(string shape) => bytes[(block, shape)];
                    string setting = string.Create(CultureInfo.InvariantCulture, $"block {block} accuracy {accuracy} threads {threads}");
                    foreach (var shape in Shapes)
                    {
                        double gbs = B(shape.Name) / T(shape.Name) / 1e6;
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"GEMV {setting}: {shape.Name,-15} {shape.K,5}->{shape.N,-6} {B(shape.Name) / 1e6,7:F1} MB  {T(shape.Name),8:F3} ms  {gbs,6:F1} GB/s  {100 * gbs * 1e9 / copyMedian,5:F1} % of copy"));
                    }
                    // A layer as the converter writes it (7 nodes) and as onnxruntime-genai's builder packs it (4 nodes).
                    double separate = 2 * T("q, o") + 2 * T("k, v") + 2 * T("gate, up") + T("down");
                    long separateBytes = 2 * B("q, o") + 2 * B("k, v") + 2 * B("gate, up") + B("down");
                    double packed = T("q|k|v packed") + T("q, o") + T("gate|up packed") + T("down");
                    long packedBytes = B("q|k|v packed") + B("q, o") + B("gate|up packed") + B("down");
                    foreach (var (name, ms, layerBytes) in new[] { ("separate q,k,v / gate,up", separate, separateBytes), ("packed q|k|v, gate|up", packed, packedBytes) })
                    {
                        double step2 = 2 * ms + T("LM head"), step28 = 28 * ms + T("LM head");
                        long bytes2 = 2 * layerBytes + B("LM head"), bytes28 = 28 * layerBytes + B("LM head");
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"LAYER {setting}, {name}: {ms:F2} ms per layer ({layerBytes / ms / 1e6:F1} GB/s); 2 layers + LM head {step2:F1} ms = {100 * bytes2 / (step2 / 1e3) / copyMedian:F0} % of the copy bound; 28 layers + LM head {step28:F0} ms = {100 * bytes28 / (step28 / 1e3) / copyMedian:F0} %"));
                    }
                }
            }
        }
    }

    /// <summary>Median wall time of one run of the graph (all its nodes), after its output has been checked.</summary>
    private static double TimeGemv(byte[] model, Int4Weight first, float[] x, int accuracy, int threads, KernelsOptions options)
    {
        using var session = new InferenceSession(model, SessionOptionsFor(threads, options.Spinning));
        using var input = OrtValue.CreateTensorValueFromMemory(x, [1, x.Length]);
        var outputs = session.OutputMetadata.Keys.Order(StringComparer.Ordinal).Select(_ => new float[first.N]).ToArray();
        var outputValues = outputs.Select(o => OrtValue.CreateTensorValueFromMemory(o, [1, o.Length])).ToArray();
        using var binding = session.CreateIoBinding();
        using var runOptions = new RunOptions();
        try
        {
            binding.BindInput("x", input);
            for (int i = 0; i < outputValues.Length; i++)
            {
                binding.BindOutput($"y{i}", outputValues[i]);
            }
            session.RunWithBinding(runOptions, binding);
            CheckGemv(first, x, outputs[0], accuracy);
            for (int i = 0; i < 2; i++)
            {
                session.RunWithBinding(runOptions, binding);
            }
            var times = new List<double>();
            for (int i = 0; i < options.Iterations; i++)
            {
                long start = Stopwatch.GetTimestamp();
                session.RunWithBinding(runOptions, binding);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            return BenchProcess.Median(times);
        }
        finally
        {
            foreach (var value in outputValues)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>Rows at both ends and the middle against the dequantised weights; accuracy 4 quantises x to int8 per block.</summary>
    private static void CheckGemv(Int4Weight weight, float[] x, float[] y, int accuracy)
    {
        double tolerance = accuracy switch { 0 or 1 => 1e-5, 4 => 3e-3, _ => 1e-2 };
        foreach (int n in Enumerable.Range(0, 8).Concat(Enumerable.Range(weight.N / 2, 8)).Concat(Enumerable.Range(weight.N - 8, 8)))
        {
            var (expected, magnitude) = weight.ReferenceRow(x, n);
            if (!(Math.Abs(y[n] - expected) <= tolerance * magnitude + 1e-6))
            {
                throw new KernelMismatchException(string.Create(CultureInfo.InvariantCulture,
                    $"MatMulNBits {weight.K}->{weight.N} block {weight.BlockSize} accuracy {accuracy}: row {n} is {y[n]} where the dequantised weights give {expected:G7} (tolerance {tolerance * magnitude:G3})."));
            }
        }
    }

    private static void RunAttention(KernelsOptions options, CopyBandwidth copy, CancellationToken cancellationToken)
    {
        var shape = AttentionShape.Qwen7B;
        var models = new List<(string Name, Func<byte[]> Build, AttentionKind Kind)>
        {
            ("(a) GroupQueryAttention, shared buffer (writes k, v)", () => KernelGraphs.GroupQueryAttention(shape), AttentionKind.GroupQuery),
            ("(b) grouped heads, FusedMatMul over K sliced to the length", () => KernelGraphs.GroupedHeads(shape, slice: true), AttentionKind.GroupedSlice),
            ("(b) grouped heads, FusedMatMul over the capacity + mask", () => KernelGraphs.GroupedHeads(shape, slice: false), AttentionKind.GroupedMask),
            // The mask's exp() leaves weights below fp32's normal range that the product with V multiplies slowly.
            ("(b) grouped heads over the capacity + mask, denormals as zero", () => KernelGraphs.GroupedHeads(shape, slice: false), AttentionKind.GroupedMaskFlushed),
            ("(b) grouped heads over the capacity, scores sliced, weights padded with 0", () => KernelGraphs.GroupedHeadsPadded(shape), AttentionKind.GroupedPadded),
            ("(c) Attention opset 24, nonpad_kv_seqlen", () => KernelGraphs.StandardAttention(shape), AttentionKind.Standard),
            ("(d) TensorScatter write of k (one cache)", () => KernelGraphs.TensorScatterWrite(shape), AttentionKind.TensorScatter),
            ("(d) ScatterND write of k (one cache)", () => KernelGraphs.ScatterNdWrite(shape), AttentionKind.ScatterNd),
        };
        int capacity = options.Capacities.Min();
        if (capacity < options.Positions.Max() + 1)
        {
            throw new KernelMismatchException($"The smallest capacity {capacity} cannot hold position {options.Positions.Max()}.");
        }
        // One row per variant and position: medians over the runs of each run's median step.
        var results = new Dictionary<(string Variant, int Threads, int Position, int Capacity), List<double>>();
        var unavailable = new Dictionary<string, string>();
        var bandwidth = new List<double>();
        foreach (int threads in options.Threads)
        {
            var sessions = new List<(string Name, AttentionKind Kind, InferenceSession Session)>();
            try
            {
                foreach (var (name, build, kind) in models)
                {
                    try
                    {
                        sessions.Add((name, kind, new InferenceSession(build(), SessionOptionsFor(threads, options.Spinning, kind == AttentionKind.GroupedMaskFlushed))));
                    }
                    catch (OnnxRuntimeException ex)
                    {
                        unavailable[name] = ex.Message.Split('\n')[0].Trim();
                        Console.WriteLine($"attention: {name}: not available in this ONNX Runtime: {unavailable[name]}");
                    }
                }
                for (int run = 0; run <= options.Runs; run++)
                {
                    string label = run == 0 ? " (warm-up)" : "";
                    foreach (int position in options.Positions)
                    {
                        foreach (int cap in options.Capacities)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            // Attention at the smallest capacity only (its kernels read the filled length); writes at every capacity.
                            var chosen = cap == capacity ? sessions : sessions.Where(s => s.Kind is AttentionKind.TensorScatter or AttentionKind.ScatterNd).ToList();
                            int layers = cap == capacity ? options.Layers : Math.Min(options.Layers, 4);
                            bandwidth.Add(copy.Measure());
                            using var bench = new DecodeAttentionBench(shape, position, cap, layers, seed: position + cap);
                            bench.Check(chosen, run == 0);
                            var medians = bench.Time(chosen, options.Iterations);
                            Console.WriteLine($"run {run}{label}: attention threads {threads}, position {position}, capacity {cap}, {layers} layers of cache: " + string.Join("; ",
                                medians.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value * 1000:F1} us"))));
                            if (run > 0)
                            {
                                foreach (var (name, ms) in medians)
                                {
                                    var key = (name, threads, position, cap);
                                    (results.TryGetValue(key, out var list) ? list : results[key] = []).Add(ms);
                                }
                            }
                        }
                    }
                }
            }
            finally
            {
                sessions.ForEach(s => s.Session.Dispose());
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BANDWIDTH large copy before each attention round: median {BenchProcess.Median(bandwidth) / 1e9:F2} GB/s"));
        int low = options.Positions.Min(), high = options.Positions.Max();
        foreach (int threads in options.Threads)
        {
            double M(string name, int position, int cap) => BenchProcess.Median(results[(name, threads, position, cap)]);
            bool Has(string name) => results.ContainsKey((name, threads, low, capacity));
            foreach (var (name, _, kind) in models.Where(m => Has(m.Name)))
            {
                foreach (int cap in kind is AttentionKind.TensorScatter or AttentionKind.ScatterNd ? options.Capacities : [capacity])
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"ATTENTION threads {threads}, capacity {cap}: {name}: {string.Join(", ", options.Positions.Select(p => $"{M(name, p, cap):F3} ms at {p}"))}; {high} / {low} = {M(name, high, cap) / M(name, low, cap):F2}"));
                }
            }
            // A layer-step writes k and v and attends: GroupQueryAttention does both; the others need two writes beside them.
            string gqa = models[0].Name, tensorScatter = models[6].Name, scatterNd = models[7].Name;
            foreach (var (name, write) in new[] { (models[1].Name, scatterNd), (models[2].Name, scatterNd), (models[3].Name, scatterNd), (models[4].Name, scatterNd), (models[5].Name, tensorScatter) })
            {
                if (Has(name) && Has(write))
                {
                    double At(int p) => M(name, p, capacity) + 2 * M(write, p, capacity);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"LAYER-STEP threads {threads}: {name} + 2 x {write}: {At(low):F3} ms at {low}, {At(high):F3} ms at {high} ({At(high) / At(low):F2}x); GroupQueryAttention {M(gqa, low, capacity):F3} / {M(gqa, high, capacity):F3} ms"));
                }
            }
        }
        foreach (var (name, reason) in unavailable)
        {
            Console.WriteLine($"UNAVAILABLE {name}: {reason}");
        }
    }

    private static SessionOptions SessionOptionsFor(int threads, bool spinning, bool denormalsAsZero = false)
    {
        var options = new ExecutionProviderSelection(ExecutionProviderSelection.Cpu, "kernels benchmark", CudaAttempted: false).CreateSessionOptions(
            new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu, IntraOpThreads = threads, IntraOpSpinning = spinning });
        if (denormalsAsZero)
        {
            options.AddSessionConfigEntry("session.set_denormal_as_zero", "1");
        }
        return options;
    }

    private sealed record GemvShape(string Name, int N, int K);
}
