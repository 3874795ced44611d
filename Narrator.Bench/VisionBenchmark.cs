using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Conversion.Vision;
using Narrator.Model.Onnx;
using Narrator.Model.Conversion.Demo;
using Narrator.Model.Vision;

namespace Narrator.Bench;

/// <summary>
/// Vision encode at Qwen2.5-VL-7B's vision width (1280 wide, 16 heads of 80, MLP 3420, out 3584) with random weights
/// and fewer blocks: 16 and 96 frames at Narrator's defaults (grids 8x30x56 and 48x30x56), in one run and in runs of
/// frame groups under the default memory budget, each in a fresh process so its peak RSS is its own. Towers of one
/// window block, one window + one full-attention block, and two window + one full block give the cost per block of
/// each kind, from which the 32-block tower (28 window, 4 full) is extrapolated.
/// </summary>
internal sealed class VisionBenchmark : IBenchmark
{
    private const string Probe = "--probe";

    public string Name => "vision";

    public string Description => "vision encode at 7B vision width: 16/96 frames, one run vs frame-group runs, time and peak RSS, per-block cost [runs] [--frames 16,96] [--only-grouped] [--skip-encode] [--skip-blocks] [--keep DIR] (NARRATOR_BENCH_PROFILE=prefix: ORT profile)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length >= 5 && args[0] == Probe)
        {
            return ProbeEncode(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), long.Parse(args[3], CultureInfo.InvariantCulture),
                int.Parse(args[4], CultureInfo.InvariantCulture));
        }
        int runs = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 3;
        int[] frames = Option(args, "--frames")?.Split(',').Select(f => int.Parse(f, CultureInfo.InvariantCulture)).ToArray() ?? [16, 96];
        string root = Option(args, "--keep") ?? Path.Combine(Path.GetTempPath(), "narrator-bench-vision-" + Environment.ProcessId);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {BenchProcess.MemTotalBytes() / (double)(1L << 30):F0} GiB, {Environment.OSVersion}, .NET {Environment.Version}, load {BenchProcess.LoadAverage()}");
        try
        {
            // Two blocks, window then full attention: every kind of block at the real width.
            string tower = Tower(root, depth: 2, fullBlocks: [1], cancellationToken);
            var config = ReadConfig(tower);
            foreach (int frameCount in args.Contains("--skip-encode") ? [] : frames)
            {
                var grid = new GridThw(frameCount / 2, 30, 56);
                long defaultBudget = ExecutionProviderOptions.DefaultVisionMemoryBudgetBytes;
                int groupedRuns = VisionEncoder.PlanRuns(config, defaultBudget, [grid]).Count;
                (string Label, long Budget)[] modes = [("one run", long.MaxValue / 4), ($"{groupedRuns} runs under the default 2 GiB budget", defaultBudget)];
                foreach (var (label, budget) in args.Contains("--only-grouped") ? modes[1..] : modes)
                {
                    long needed = VisionRunPlan.BytesPerPatch(config) * Math.Min(grid.PatchCount, VisionRunPlan.MaxPatchesPerRun(config, budget)) + (1L << 30);
                    if (BenchProcess.MemAvailableBytes() < needed)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"VISION {frameCount} frames, {label}: skipped, {BenchProcess.MemAvailableBytes() / (double)(1L << 30):F1} GiB available, about {needed / (double)(1L << 30):F1} GiB needed"));
                        continue;
                    }
                    var result = await ProbeAsync(tower, frameCount, budget, runs, cancellationToken);
                    double transient = result.PeakMb - result.LoadedMb;
                    double resultMb = grid.VisualTokens * (double)config.OutHiddenSize * sizeof(float) / 1048576;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"VISION {frameCount} frames ({grid}, {grid.PatchCount} patches), 2 blocks (1 window + 1 full), {label}: median {BenchProcess.Median(result.Seconds):F1} s wall of {Runs(result.Seconds)}, {BenchProcess.Median(result.CpuSeconds):F1} s CPU of {Runs(result.CpuSeconds)}; peak RSS {result.PeakMb:F0} MB (after load {result.LoadedMb:F0} MB, encode adds {transient:F0} MB, of which the {grid.VisualTokens}x{config.OutHiddenSize} fp32 result is {resultMb:F0} MB: {(transient - resultMb) * 1024 / result.LargestRunPatches:F1} KiB per patch of the largest run ({result.LargestRunPatches} patches), estimate {VisionRunPlan.BytesPerPatch(config) / 1024.0:F1} KiB); load {BenchProcess.LoadAverage()}"));
                }
            }
            if (!args.Contains("--skip-blocks"))
            {
                await MeasurePerBlockAsync(root, runs, cancellationToken);
            }
        }
        finally
        {
            if (Option(args, "--keep") is null && Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
        return 0;
    }

    /// <summary>
    /// 16 frames in one run through towers of 1 window block (T1), window + full (T2), window + window + full (T3):
    /// a window block costs T3 - T2, a full block T2 - T1, everything else (patch embedding, merger) T1 - window.
    /// </summary>
    private static async Task MeasurePerBlockAsync(string root, int runs, CancellationToken cancellationToken)
    {
        const int frames = 16;
        var medians = new List<double>();
        foreach (var (depth, full) in new[] { (1, Array.Empty<int>()), (2, new[] { 1 }), (3, new[] { 2 }) })
        {
            string tower = Tower(root, depth, full, cancellationToken);
            var result = await ProbeAsync(tower, frames, long.MaxValue / 4, runs, cancellationToken);
            medians.Add(BenchProcess.Median(result.CpuSeconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"BLOCKS depth {depth} (full attention in [{string.Join(", ", full)}]), {frames} frames in one run: median {medians[^1]:F2} s CPU of {Runs(result.CpuSeconds)}, {BenchProcess.Median(result.Seconds):F2} s wall of {Runs(result.Seconds)}"));
        }
        double window = medians[2] - medians[1], fullBlock = medians[1] - medians[0], rest = medians[0] - window;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PER BLOCK at {frames} frames, CPU seconds: window block {window:F2} s, full-attention block {fullBlock:F2} s, patch embedding + merger {rest:F2} s; 32 blocks (28 window + 4 full) ≈ {rest + 28 * window + 4 * fullBlock:F1} s CPU (load {BenchProcess.LoadAverage()})"));
    }

    /// <summary>A random 7B-width vision checkpoint of <paramref name="depth"/> blocks, converted at fp32 (cached under <paramref name="root"/>).</summary>
    private static string Tower(string root, int depth, int[] fullBlocks, CancellationToken cancellationToken)
    {
        string checkpointDirectory = Path.Combine(root, $"checkpoint-d{depth}-f{string.Join("_", fullBlocks)}");
        string package = Path.Combine(checkpointDirectory, "package");
        if (File.Exists(Path.Combine(package, "genai_vision.json")))
        {
            return package;
        }
        var clock = Stopwatch.StartNew();
        RandomVisionWeights.WriteVisionCheckpoint(checkpointDirectory, SevenBVision(depth, fullBlocks), seed: 1);
        double written = clock.Elapsed.TotalSeconds;
        using var checkpoint = HfCheckpoint.Open(checkpointDirectory);
        var config = VisionGraphWriter.Write(checkpoint, package, VisionPrecision.Fp32, cancellationToken);
        File.WriteAllText(Path.Combine(package, "genai_vision.json"), JsonSerializer.Serialize(config));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tower: {depth} blocks (full attention in [{string.Join(", ", fullBlocks)}]), random bf16 checkpoint written in {written:F1} s, converted to fp32 in {clock.Elapsed.TotalSeconds - written:F1} s ({new DirectoryInfo(package).GetFiles().Sum(f => f.Length) / 1048576.0:F0} MB)"));
        return package;
    }

    /// <summary>Qwen2.5-VL-7B-Instruct's vision settings (and text sizes, which only config.json's checks read) with fewer blocks.</summary>
    public static Qwen25VlConfig SevenBVision(int depth, int[] fullBlocks) => new()
    {
        Text = new Qwen25VlTextConfig
        {
            HiddenSize = 3584, Layers = 28, AttentionHeads = 28, KeyValueHeads = 4, IntermediateSize = 18944, VocabSize = 152064,
            MropeSection = [16, 24, 24], SlidingWindow = 32768,
        },
        Vision = new Qwen25VlVisionConfig
        {
            Depth = depth, HiddenSize = 1280, IntermediateSize = 3420, Heads = 16, OutHiddenSize = 3584, WindowSize = 112,
            FullAttentionBlocks = fullBlocks, TokensPerSecond = 2,
        },
    };

    private static GenAiVisionConfig ReadConfig(string package) =>
        JsonSerializer.Deserialize<GenAiVisionConfig>(File.ReadAllText(Path.Combine(package, "genai_vision.json")))!;

    /// <summary>Wall and process CPU seconds per encode (CPU time is the steadier figure on a shared box), peak and post-load RSS.</summary>
    private sealed record ProbeResult(double LoadedMb, double PeakMb, double[] Seconds, double[] CpuSeconds, int LargestRunPatches);

    private static async Task<ProbeResult> ProbeAsync(string package, int frames, long budget, int runs, CancellationToken cancellationToken)
    {
        string output = await BenchProcess.RunSelfAsync(["vision", Probe, package, frames.ToString(CultureInfo.InvariantCulture),
            budget.ToString(CultureInfo.InvariantCulture), runs.ToString(CultureInfo.InvariantCulture)], cancellationToken);
        return JsonSerializer.Deserialize<ProbeResult>(output.Trim().Split('\n')[^1])!;
    }

    /// <summary>In a fresh process: open the tower as the runtime does on the CPU, then encode <paramref name="runs"/> times.</summary>
    private static int ProbeEncode(string package, int frames, long budget, int runs)
    {
        var config = ReadConfig(package);
        var grid = new GridThw(frames / 2, 30, 56);
        var random = new Random(5);
        var pixels = new float[grid.PatchCount * 1176];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)(random.NextDouble() * 4 - 2);
        }
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        string? profile = Environment.GetEnvironmentVariable("NARRATOR_BENCH_PROFILE");
        if (!string.IsNullOrEmpty(profile))
        {
            // ONNX Runtime's per-node timings (chrome trace JSON), to see which operators the time goes to.
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = profile;
        }
        using var session = new InferenceSession(Path.Combine(package, config.Filename), options);
        double loaded = BenchProcess.PeakResidentMegabytes();
        var seconds = new List<double>();
        var cpuSeconds = new List<double>();
        using var self = Process.GetCurrentProcess();
        for (int run = 0; run < runs; run++)
        {
            self.Refresh();
            var cpu = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            using (var runOptions = new RunOptions())
            using (VisionEncoder.Encode(session, config, budget, pixels, [grid], runOptions))
            {
                seconds.Add(clock.Elapsed.TotalSeconds);
                self.Refresh();
                cpuSeconds.Add((self.TotalProcessorTime - cpu).TotalSeconds);
            }
            // The result is garbage now; collect it so the peak is one encode and its result, not several results.
            GC.Collect();
        }
        int largest = VisionEncoder.PlanRuns(config, budget, [grid]).Max(r => r.PatchCount);
        if (!string.IsNullOrEmpty(profile))
        {
            Console.Error.WriteLine($"profile: {session.EndProfiling()}");
        }
        Console.WriteLine(JsonSerializer.Serialize(new ProbeResult(loaded, BenchProcess.PeakResidentMegabytes(), [.. seconds], [.. cpuSeconds], largest)));
        return 0;
    }

    private static string Runs(IEnumerable<double> seconds) =>
        string.Join(" / ", seconds.Select(s => s.ToString("F1", CultureInfo.InvariantCulture)));

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
