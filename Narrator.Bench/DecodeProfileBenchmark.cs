using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Narrator.Model;
using Narrator.Model.Onnx;

namespace Narrator.Bench;

/// <summary>
/// Where a decode step's time goes: ONNX Runtime's own profiler on the decoder graph of a converted package, one bare
/// shared-KV decode loop per position (and per KV buffer capacity), the kernel time of every node summed per step and
/// grouped by operator, medians over the measured steps. Answers "what grows between position 100 and 4,000" with
/// numbers per operator instead of a wall time.
/// </summary>
internal sealed class DecodeProfileBenchmark : IBenchmark
{
    public string Name => "decode-profile";

    public string Description =>
        "ORT profiler on a converted package's decoder: kernel time per operator per decode step at each position: --model DIR [--positions 100,4000] [--capacities C1,C2] [--tokens T] [--warmup W] [--threads N] [--keep DIR]";

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
        string configPath = Path.Combine(options.Model, GenAiConfig.FileName);
        GenAiConfig config;
        try
        {
            config = GenAiConfig.Parse(File.ReadAllText(configPath), configPath);
        }
        catch (Exception ex) when (ex is ModelPackageException or IOException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
        var decoder = config.Model.Decoder;
        string decoderPath = Path.Combine(options.Model, decoder.Filename);
        string profileDirectory = options.Keep ?? Directory.CreateTempSubdirectory("narrator-profile-").FullName;
        Directory.CreateDirectory(profileDirectory);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load {BenchProcess.LoadAverage()}; decoder {decoderPath}: {decoder.NumHiddenLayers} layers x {decoder.HiddenSize}, decode step attention {(DecoderGraphFacts.Read(decoderPath).GroupedDecodeStepLayers > 0 ? "grouped heads" : "GroupQueryAttention")}");
        try
        {
            foreach (int position in options.Positions)
            {
                foreach (int? capacity in options.Capacities.Length == 0 ? [null] : options.Capacities.Select(c => (int?)c))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (capacity is int c && c < position + options.Warmup + options.Tokens + 1)
                    {
                        continue;
                    }
                    ProfileOne(decoderPath, decoder, options, position, capacity, profileDirectory);
                }
            }
        }
        finally
        {
            if (options.Keep is null)
            {
                Directory.Delete(profileDirectory, recursive: true);
            }
        }
        Console.WriteLine($"load after: {BenchProcess.LoadAverage()}");
        await Task.CompletedTask;
        return 0;
    }

    private static void ProfileOne(string decoderPath, GenAiDecoderConfig decoder, Options options, int position, int? capacity, string profileDirectory)
    {
        using var sessionOptions = new SessionOptions
        {
            // As ModelPackage opens the decoder on the CPU, plus the profiler.
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            // The prefix first: EnableProfiling hands ORT the prefix it holds at that moment.
            ProfileOutputPathPrefix = Path.Combine(profileDirectory, $"decoder-{position}-{capacity?.ToString(CultureInfo.InvariantCulture) ?? "tight"}"),
            EnableProfiling = true,
        };
        if (options.Threads > 0)
        {
            sessionOptions.IntraOpNumThreads = options.Threads;
        }
        using var session = new InferenceSession(decoderPath, sessionOptions);
        var kvType = session.InputMetadata[decoder.PastKeyName(0)].ElementDataType;
        var wall = new List<double>();
        var cpu = new List<double>();
        using (var loop = new BareDecoderLoop(session, decoder, kvType, position, options.Warmup + options.Tokens, growing: false, capacity))
        {
            for (int step = 0; step < options.Warmup + options.Tokens; step++)
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                long start = Stopwatch.GetTimestamp();
                loop.Step();
                if (step >= options.Warmup)
                {
                    wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
                }
            }
        }
        string file = session.EndProfiling();
        if (!Path.IsPathRooted(file))
        {
            throw new InvalidOperationException($"ONNX Runtime wrote its profile to {Path.GetFullPath(file)}, not under {profileDirectory}.");
        }
        var profile = StepProfile.Read(file, skipRuns: options.Warmup);
        string label = string.Create(CultureInfo.InvariantCulture, $"position {position}, KV buffer {capacity?.ToString(CultureInfo.InvariantCulture) ?? $"{position + options.Warmup + options.Tokens + 1} (tight)"}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PROFILE {label}: {profile.Runs} steps, wall {BenchProcess.Median(wall):F2} ms (process CPU {BenchProcess.Median(cpu):F2} ms), ORT model_run {profile.MedianRunMicroseconds / 1000:F2} ms, sum of kernels {profile.MedianKernelMicroseconds / 1000:F2} ms"));
        // The fastest step is printed beside the median: on a shared box it is the closest to the uncontended cost.
        foreach (var (op, microseconds, fastest, nodes) in profile.ByOperator)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {op,-36} {microseconds / 1000,8:F3} ms/step (fastest {fastest / 1000,8:F3})  {100 * microseconds / profile.MedianKernelMicroseconds,5:F1}%  ({nodes} nodes)"));
        }
    }

    /// <summary>
    /// One ORT profile: "model_run" session events, and "Node" events named "*_kernel_time" with their op_name; each
    /// kernel event is counted in the run whose span contains it, and the first runs (warm-up) are left out.
    /// </summary>
    private sealed record StepProfile(int Runs, double MedianRunMicroseconds, double MedianKernelMicroseconds, IReadOnlyList<(string Op, double Microseconds, double Fastest, int Nodes)> ByOperator)
    {
        public static StepProfile Read(string file, int skipRuns)
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            var runs = new List<(long Start, long End)>();
            var kernels = new List<(long Start, long Duration, string Op, string Node)>();
            foreach (var e in document.RootElement.EnumerateArray())
            {
                string category = e.GetProperty("cat").GetString() ?? "";
                string name = e.GetProperty("name").GetString() ?? "";
                long ts = e.GetProperty("ts").GetInt64(), duration = e.GetProperty("dur").GetInt64();
                if (category == "Session" && name == "model_run")
                {
                    runs.Add((ts, ts + duration));
                }
                else if (category == "Node" && name.EndsWith("_kernel_time", StringComparison.Ordinal)
                    && e.TryGetProperty("args", out var a) && a.TryGetProperty("op_name", out var op))
                {
                    kernels.Add((ts, duration, op.GetString() ?? "?", name[..^"_kernel_time".Length]));
                }
            }
            runs.Sort();
            var measured = runs.Skip(skipRuns).ToList();
            if (measured.Count == 0)
            {
                throw new InvalidOperationException($"{file} holds {runs.Count} model runs, none after the {skipRuns} warm-up runs.");
            }
            // Per run: kernel microseconds per operator; then the median over runs for each operator.
            var perRun = measured.Select(r => kernels.Where(k => k.Start >= r.Start && k.Start <= r.End).ToList()).ToList();
            var operators = perRun.SelectMany(k => k).GroupBy(k => k.Op)
                .Select(g => (Op: g.Key,
                    Microseconds: BenchProcess.Median(perRun.Select(run => (double)run.Where(k => k.Op == g.Key).Sum(k => k.Duration))),
                    Fastest: perRun.Min(run => (double)run.Where(k => k.Op == g.Key).Sum(k => k.Duration)),
                    Nodes: g.Select(k => k.Node).Distinct().Count()))
                .OrderByDescending(o => o.Microseconds)
                .ToList();
            return new StepProfile(measured.Count,
                BenchProcess.Median(measured.Select(r => (double)(r.End - r.Start))),
                BenchProcess.Median(perRun.Select(run => (double)run.Sum(k => k.Duration))),
                operators);
        }
    }

    private sealed record Options(string Model, int[] Positions, int[] Capacities, int Tokens, int Warmup, int Threads, string? Keep)
    {
        public static Options Parse(string[] args)
        {
            string? model = null, keep = null;
            int tokens = 16, warmup = 4, threads = 0;
            int[] positions = [100, 4000], capacities = [];
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new UserInputException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--model": model = Value(); break;
                    case "--positions": positions = BenchArguments.PositiveWholes(Value(), "--positions"); break;
                    case "--capacities": capacities = BenchArguments.PositiveWholes(Value(), "--capacities"); break;
                    case "--tokens": tokens = BenchArguments.PositiveWhole(Value(), "--tokens"); break;
                    case "--warmup": warmup = BenchArguments.PositiveWhole(Value(), "--warmup"); break;
                    case "--threads": threads = BenchArguments.PositiveWhole(Value(), "--threads"); break;
                    case "--keep": keep = Value(); break;
                    default: throw new UserInputException($"Unknown argument {args[i]}.");
                }
            }
            return new Options(model ?? throw new UserInputException("--model DIR (a converted package) is required."), positions, capacities, tokens, warmup, threads, keep);
        }
    }
}
