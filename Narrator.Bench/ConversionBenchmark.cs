using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Demo;
using Narrator.Model.Onnx;

namespace Narrator.Bench;

/// <summary>
/// <c>narrator convert</c>'s wall time and peak resident memory at each precision, each conversion in a fresh child
/// process; the demo model's first start (random checkpoint written, converted, opened); optionally a checkpoint at
/// Qwen2.5-VL-7B's widths with one text layer and one vision block, whose peak memory is the full 7B's (conversion works
/// one tensor at a time, so the largest tensors, not the layer count, set the peak).
/// </summary>
internal sealed class ConversionBenchmark : IBenchmark
{
    private const string ConvertProbe = "--convert-probe";
    private const string DemoProbe = "--demo-probe";

    /// <summary>Qwen2.5-VL-7B-Instruct's widths (config.json on the Hub) with one text layer and one vision block.</summary>
    private static readonly RandomCheckpointSpec SevenBWidths = new()
    {
        VocabSize = 152064,
        HiddenSize = 3584,
        Layers = 1,
        AttentionHeads = 28,
        KeyValueHeads = 4,
        IntermediateSize = 18944,
        MropeSection = [16, 24, 24],
        MaxPositionEmbeddings = 128000,
        VisionDepth = 1,
        VisionHiddenSize = 1280,
        VisionHeads = 16,
        VisionIntermediateSize = 3420,
        FullAttentionBlocks = [0],
    };

    public string Name => "conversion";

    public string Description => "narrator convert time and peak RSS per precision (hf-tiny), demo-model first start, [--7b-widths] a 7B-wide 1-layer checkpoint [runs] [--checkpoint DIR]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length >= 4 && args[0] == ConvertProbe)
        {
            return await ProbeConversionAsync(args[1], args[2], args[3], cancellationToken);
        }
        if (args.Length >= 2 && args[0] == DemoProbe)
        {
            return await ProbeDemoAsync(args[1], cancellationToken);
        }
        int runs = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 5;
        int checkpointArgument = Array.IndexOf(args, "--checkpoint");
        string? checkpoint = checkpointArgument >= 0 && checkpointArgument + 1 < args.Length ? args[checkpointArgument + 1] : FindHfTiny();
        if (checkpoint is null)
        {
            Console.Error.WriteLine("hf-tiny not found from the current folder: run from the repository root or pass --checkpoint DIR.");
            return 2;
        }
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {BenchProcess.MemAvailableBytes() / (double)(1L << 30):F1} GiB available, {Environment.OSVersion}, .NET {Environment.Version}, load {BenchProcess.LoadAverage()}");
        string root = Path.Combine(Path.GetTempPath(), "narrator-bench-conversion-" + Environment.ProcessId);
        try
        {
            await MeasureConversionsAsync(checkpoint, "hf-tiny", root, runs, cancellationToken);
            await MeasureDemoFirstStartAsync(root, runs, cancellationToken);
            if (args.Contains("--7b-widths"))
            {
                string wide = Path.Combine(root, "7b-widths-checkpoint");
                var clock = Stopwatch.StartNew();
                await RandomCheckpointWriter.WriteAsync(wide, SevenBWidths, seed: 1, cancellationToken);
                long bytes = new DirectoryInfo(wide).GetFiles().Sum(f => f.Length);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"7B-width checkpoint (1 text layer, 1 vision block): {bytes / (double)(1L << 30):F2} GiB written in {clock.Elapsed.TotalSeconds:F0} s"));
                await MeasureConversionsAsync(wide, "7B widths, 1 layer", root, Math.Min(runs, 1), cancellationToken);
            }
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
        return 0;
    }

    private static async Task MeasureConversionsAsync(string checkpoint, string label, string root, int runs, CancellationToken cancellationToken)
    {
        foreach (string precision in new[] { "fp32", "fp16", "bf16", "int4" })
        {
            var seconds = new List<double>();
            var cpu = new List<double>();
            var peaks = new List<double>();
            double megabytes = 0;
            for (int run = 0; run < runs; run++)
            {
                string output = Path.Combine(root, $"{label.Replace(' ', '-').Replace(',', '-')}-{precision}-{run}");
                var result = await Probe(["conversion", ConvertProbe, checkpoint, output, precision], cancellationToken);
                seconds.Add(result.GetProperty("seconds").GetDouble());
                cpu.Add(result.GetProperty("cpuSeconds").GetDouble());
                peaks.Add(result.GetProperty("peakMb").GetDouble());
                megabytes = result.GetProperty("packageMb").GetDouble();
                if (run == 0)
                {
                    Console.WriteLine($"  {label} {precision} stages (largest resident set while each ran): {result.GetProperty("stages")}");
                }
                Directory.Delete(output, recursive: true);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"CONVERT {label} {precision}: median {BenchProcess.Median(seconds):F2} s of {runs} (min {seconds.Min():F2}, max {seconds.Max():F2}), process CPU {BenchProcess.Median(cpu):F2} s, peak RSS median {BenchProcess.Median(peaks):F0} MB (max {peaks.Max():F0}), package {megabytes:F1} MB, load {BenchProcess.LoadAverage()}"));
        }
    }

    private static async Task MeasureDemoFirstStartAsync(string root, int runs, CancellationToken cancellationToken)
    {
        var write = new List<double>();
        var open = new List<double>();
        for (int run = 0; run < runs; run++)
        {
            string directory = Path.Combine(root, $"demo-{run}");
            var result = await Probe(["conversion", DemoProbe, directory], cancellationToken);
            write.Add(result.GetProperty("writeSeconds").GetDouble());
            open.Add(result.GetProperty("openSeconds").GetDouble());
            Directory.Delete(directory, recursive: true);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"DEMO first start: checkpoint written and converted in median {BenchProcess.Median(write):F2} s, package opened in {BenchProcess.Median(open):F2} s (of {runs}; later starts reuse the cached package), load {BenchProcess.LoadAverage()}"));
    }

    /// <summary>Runs a probe of this benchmark in a fresh process and parses the JSON line it ends with.</summary>
    private static async Task<JsonElement> Probe(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        JsonDocument.Parse((await BenchProcess.RunSelfAsync(arguments, cancellationToken)).Trim().Split('\n')[^1]).RootElement.Clone();

    private static async Task<int> ProbeConversionAsync(string checkpoint, string output, string precision, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var sampler = new ResidentSampler();
        var result = await new CheckpointConverter().ConvertAsync(checkpoint, output,
            new ConversionOptions { Precision = Enum.Parse<TextPrecision>(precision, ignoreCase: true) }, sampler, cancellationToken);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            seconds = clock.Elapsed.TotalSeconds,
            cpuSeconds = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
            peakMb = BenchProcess.PeakResidentMegabytes(),
            packageMb = result.TotalBytes / (1024.0 * 1024.0),
            stages = sampler.Stages,
        }));
        return 0;
    }

    /// <summary>Samples the resident set as the conversion reports progress: anonymous (heap) and file-backed (mapped checkpoint) MB, largest per stage.</summary>
    private sealed class ResidentSampler : IConversionProgress
    {
        public Dictionary<string, string> Stages { get; } = [];

        private double _anon;
        private double _file;

        public void OnStageStarted(ConversionStage stage, long totalBytes) => (_anon, _file) = (0, 0);

        public void OnBytesConverted(ConversionStage stage, long bytes) => Sample();

        public void OnStageCompleted(ConversionStage stage, TimeSpan elapsed)
        {
            Sample();
            Stages[stage.ToString()] = string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:F1} s, anon {_anon:F0} MB, file {_file:F0} MB");
        }

        private void Sample()
        {
            _anon = Math.Max(_anon, BenchProcess.StatusMegabytes("RssAnon:"));
            _file = Math.Max(_file, BenchProcess.StatusMegabytes("RssFile:"));
        }
    }

    private static async Task<int> ProbeDemoAsync(string directory, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await new DemoModelWriter().WriteIfMissingAsync(directory, 0, cancellationToken);
        double written = clock.Elapsed.TotalSeconds;
        clock.Restart();
        using (ModelPackage.Open(directory, new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu }))
        {
            Console.WriteLine(JsonSerializer.Serialize(new { writeSeconds = written, openSeconds = clock.Elapsed.TotalSeconds }));
        }
        return 0;
    }

    private static string? FindHfTiny()
    {
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, "Narrator.Model.Tests", "TestData", "hf-tiny", "checkpoint");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
