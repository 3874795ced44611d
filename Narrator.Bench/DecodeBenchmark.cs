using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model;
using Narrator.Model.Generation;
using Narrator.Model.Onnx;

namespace Narrator.Bench;

/// <summary>
/// The runtime on a converted package at real widths (a random-checkpoint conversion): the memory-bandwidth bound of a
/// decode step (bytes of weights and KV read per token over a large-copy bandwidth measured in the same run), decode
/// tokens/s through the ModelSequence after prefills of 100 and 4,000 tokens, the same steps with a bare decoder loop whose KV
/// cache is one shared buffer and with one that grows each step (the runtime before: a new present per step, the past
/// copied into it), and prefill time of 1,000 and 4,000 tokens. All sequences are stepped in turn, one token each (so load
/// from other work falls on all alike); wall and process CPU time per token are recorded and medians reported.
/// </summary>
internal sealed class DecodeBenchmark : IBenchmark
{
    public string Name => "decode";

    public string Description =>
        "converted package at real widths: bandwidth bound, decode tokens/s at positions 100 and 4000 (generator, shared vs growing KV), prefill of 1k/4k tokens: --model DIR [--runs N] [--tokens T] [--positions 100,4000] [--prefill 1000,4000] [--copy-mib M] [--threads N] [--spinning on|off (default off: spinning workers would share the cores with the copy)]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (UserInputException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {BenchProcess.MemTotalBytes() / (double)(1L << 30):F1} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, load {BenchProcess.LoadAverage()}");

        // The copy buffers are taken before the model, and a copy is timed in every round of decode steps (same load).
        var copy = new CopyBandwidth(options.CopyMebibytes);

        // Spinning off: ORT's workers otherwise spin on the cores while the copy between steps is timed, and the bound
        // came out 1.46x too low (24-26 vs 38.5 GB/s on the quiet 2-core box) while the decode steps took the same time.
        using var package = ModelPackage.Open(options.Model, new ExecutionProviderOptions
        {
            Provider = ExecutionProviderKind.Cpu,
            IntraOpThreads = options.Threads,
            IntraOpSpinning = options.Spinning,
        });
        var decoder = package.Config.Model.Decoder;
        long weightBytes = DecoderWeightBytes(package);
        int kvElement = package.KvElementType == TensorElementType.Float ? 4 : 2;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model: {package.Directory}: {decoder.NumHiddenLayers} layers x {decoder.HiddenSize}, {decoder.NumAttentionHeads} heads / {decoder.NumKeyValueHeads} KV of {decoder.HeadSize}, {package.Precision}; decode step attention {(package.DecoderGraph.GroupedDecodeStepLayers > 0 ? "grouped heads" : "GroupQueryAttention")}; decoder weights read per token {weightBytes / 1e6:F0} MB; ORT intra-op spinning {(options.Spinning ? "on" : "off")}"));

        var series = new Dictionary<string, List<double>>();
        void Add(string key, double value) => (series.TryGetValue(key, out var list) ? list : series[key] = []).Add(value);
        for (int run = 0; run <= options.Runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string label = run == 0 ? " (warm-up)" : "";
            // Every sequence is set up first, then all are stepped in turn, one token each, so load from other work on the
            // machine falls on all of them alike.
            var steppers = new List<(string Key, IDecodeStepper Stepper)>();
            try
            {
                foreach (int position in options.Positions)
                {
                    var generator = new GeneratorStepper(package, position, options.Tokens);
                    steppers.Add(($"generator@{position}", generator));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"run {run}{label}: prefill of {position} tokens {generator.PrefillMilliseconds:F0} ms (process CPU {generator.PrefillCpuMilliseconds:F0} ms)"));
                    if (run > 0)
                    {
                        Add($"prefill@{position}", generator.PrefillMilliseconds);
                        Add($"cpu:prefill@{position}", generator.PrefillCpuMilliseconds);
                    }
                    steppers.Add(($"shared@{position}", new BareDecoderLoop(package.Decoder, package.Config.Model.Decoder, package.KvElementType, position, options.Tokens, growing: false)));
                    steppers.Add(($"growing@{position}", new BareDecoderLoop(package.Decoder, package.Config.Model.Decoder, package.KvElementType, position, options.Tokens, growing: true)));
                }
                var wall = steppers.ToDictionary(s => s.Key, _ => new List<double>());
                var cpu = steppers.ToDictionary(s => s.Key, _ => new List<double>());
                var bandwidth = new List<double>();
                for (int step = 0; step < options.Tokens; step++)
                {
                    bandwidth.Add(copy.Measure());
                    foreach (var (key, stepper) in steppers)
                    {
                        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                        long start = Stopwatch.GetTimestamp();
                        stepper.Step();
                        wall[key].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        cpu[key].Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
                    }
                }
                Console.WriteLine($"run {run}{label}, per token (median of {options.Tokens}; wall / process CPU): " + string.Join(", ",
                    steppers.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {BenchProcess.Median(wall[s.Key]):F1} / {BenchProcess.Median(cpu[s.Key]):F1} ms")))
                    + string.Create(CultureInfo.InvariantCulture, $"; copy bandwidth {BenchProcess.Median(bandwidth) / 1e9:F2} GB/s"));
                if (run > 0)
                {
                    Add("bandwidth", BenchProcess.Median(bandwidth));
                    foreach (var (key, _) in steppers)
                    {
                        Add(key, BenchProcess.Median(wall[key]));
                        Add("cpu:" + key, BenchProcess.Median(cpu[key]));
                    }
                }
            }
            finally
            {
                steppers.ForEach(s => s.Stepper.Dispose());
            }
            foreach (int length in options.PrefillLengths.Except(options.Positions))
            {
                var (prefill, prefillCpu) = PrefillMilliseconds(package, length);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run}{label}: prefill of {length} tokens {prefill:F0} ms (process CPU {prefillCpu:F0} ms)"));
                if (run > 0)
                {
                    Add($"prefill@{length}", prefill);
                    Add($"cpu:prefill@{length}", prefillCpu);
                }
            }
        }

        double Median(string key) => BenchProcess.Median(series[key]);
        Console.WriteLine($"load after: {BenchProcess.LoadAverage()}");
        double bandwidthMedian = Median("bandwidth");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BANDWIDTH large copy of {options.CopyMebibytes} MiB on {Environment.ProcessorCount} threads between the decode steps (read + write counted, as STREAM Copy): median {bandwidthMedian / 1e9:F2} GB/s, best {series["bandwidth"].Max() / 1e9:F2} GB/s"));
        foreach (int position in options.Positions)
        {
            long kvBytes = 2L * decoder.NumHiddenLayers * decoder.NumKeyValueHeads * decoder.HeadSize * position * kvElement;
            double boundMs = (weightBytes + kvBytes) / bandwidthMedian * 1000;
            double generator = Median($"generator@{position}"), generatorCpu = Median($"cpu:generator@{position}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"DECODE position {position}, median of {options.Runs}: generator {generator:F1} ms/token = {1000 / generator:F2} tokens/s (process CPU {generatorCpu:F1} ms/token); bound {(weightBytes + kvBytes) / 1e6:F0} MB / {bandwidthMedian / 1e9:F2} GB/s = {boundMs:F1} ms/token = {1000 / boundMs:F2} tokens/s; {100 * boundMs / generator:F0}% of the bound"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  bare loops: shared KV {Median($"shared@{position}"):F1} ms/token, growing KV {Median($"growing@{position}"):F1} ms/token ({Median($"growing@{position}") / Median($"shared@{position}"):F2}x)"));
        }
        if (options.Positions.Length >= 2)
        {
            int low = options.Positions.Min(), high = options.Positions.Max();
            string Ratio(string kind) => string.Create(CultureInfo.InvariantCulture,
                $"{Median($"{kind}@{high}") / Median($"{kind}@{low}"):F3} (CPU {Median($"cpu:{kind}@{high}") / Median($"cpu:{kind}@{low}"):F3})");
            Console.WriteLine($"FLAT per-token time at position {high} / at {low}: generator {Ratio("generator")} (target <= 1.1), bare shared {Ratio("shared")}, bare growing {Ratio("growing")}");
        }
        foreach (int length in options.PrefillLengths.Order())
        {
            double ms = Median($"prefill@{length}"), cpuMs = Median($"cpu:prefill@{length}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"PREFILL {length} tokens, median of {options.Runs}: {ms:F0} ms = {length / (ms / 1000):F0} tokens/s, process CPU {cpuMs:F0} ms (chunks of at most {ModelSequence.DefaultPrefillChunkSize})"));
        }
        await Task.CompletedTask;
        return 0;
    }

    /// <summary>Bytes one decode step reads from the decoder's weights: its external data plus the initializers inside the graph.</summary>
    private static long DecoderWeightBytes(ModelPackage package)
    {
        string decoderPath = Path.Combine(package.Directory, package.Config.Model.Decoder.Filename);
        string data = decoderPath + ".data";
        return (File.Exists(data) ? new FileInfo(data).Length : 0) + new FileInfo(decoderPath).Length;
    }

    /// <summary>The runtime itself: a text prompt of <c>position</c> tokens prefilled, then greedy steps through the ModelSequence.</summary>
    private sealed class GeneratorStepper : IDecodeStepper
    {
        private readonly RunOptions _runOptions = new();
        private readonly ModelSequence _generator;
        private readonly Sampler _sampler;

        public GeneratorStepper(ModelPackage package, int position, int tokens)
        {
            _generator = new ModelSequence(package, position + tokens + 1);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            _generator.Prefill(TextPrompt(position, seed: position), _runOptions);
            PrefillCpuMilliseconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
            _sampler = new Sampler(new GenerationOptions(), _generator.VocabularySize);
        }

        public double PrefillMilliseconds => _generator.PrefillTime.TotalMilliseconds;

        public double PrefillCpuMilliseconds { get; }

        public void Step()
        {
            int token = _sampler.Sample(_generator.Logits);
            _sampler.Observe(token);
            _generator.Append(token, _runOptions);
        }

        public void Dispose()
        {
            _generator.Dispose();
            _runOptions.Dispose();
        }
    }

    /// <summary>Wall and process CPU milliseconds of one prefill of <paramref name="length"/> tokens.</summary>
    private static (double Wall, double Cpu) PrefillMilliseconds(ModelPackage package, int length)
    {
        using var runOptions = new RunOptions();
        using var generator = new ModelSequence(package, length + 1);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        generator.Prefill(TextPrompt(length, seed: length), runOptions);
        return (generator.PrefillTime.TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
    }

    /// <summary>Ordinary BPE ids with text positions (p, p, p).</summary>
    private static GeneratorPrompt TextPrompt(int length, int seed)
    {
        var random = new Random(seed);
        var ids = new int[length];
        var positions = new long[3 * length];
        for (int i = 0; i < length; i++)
        {
            ids[i] = random.Next(0, 150000);
            positions[i] = positions[length + i] = positions[2 * length + i] = i;
        }
        return new GeneratorPrompt { Ids = ids, PositionIds = positions };
    }

    private sealed record Options(string Model, int Runs, int Tokens, int[] Positions, int[] PrefillLengths, int CopyMebibytes, int Threads, bool Spinning)
    {
        public static Options Parse(string[] args)
        {
            string? model = null;
            int runs = 3, tokens = 16, copy = 1024, threads = 0;
            bool spinning = false;
            int[] positions = [100, 4000], prefill = [1000, 4000];
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new UserInputException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--model": model = Value(); break;
                    case "--runs": runs = BenchArguments.PositiveWhole(Value(), "--runs"); break;
                    case "--tokens": tokens = BenchArguments.PositiveWhole(Value(), "--tokens"); break;
                    case "--positions": positions = BenchArguments.PositiveWholes(Value(), "--positions"); break;
                    case "--prefill": prefill = BenchArguments.PositiveWholes(Value(), "--prefill"); break;
                    case "--copy-mib": copy = BenchArguments.PositiveWhole(Value(), "--copy-mib"); break;
                    case "--threads": threads = BenchArguments.PositiveWhole(Value(), "--threads"); break;
                    case "--spinning": spinning = BenchArguments.OnOff(Value(), "--spinning"); break;
                    default: throw new UserInputException($"Unknown argument {args[i]}.");
                }
            }
            return new Options(model ?? throw new UserInputException("--model DIR (a converted package) is required."), runs, tokens, positions, prefill, copy, threads, spinning);
        }
    }
}
