using System.Diagnostics;
using System.Globalization;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;

namespace Narrator.Bench;

/// <summary>
/// Issue 7: segmentation + planning of a long video (probe, ffmpeg scene detection, min/max segment rules, a frame plan
/// per segment) against the clip's duration, with a plain ffmpeg decode of the same file as the floor it cannot beat.
/// The default clip is synthesised: 10 minutes of distinct lavfi sources with scene cuts at known times. On a shared box
/// wall time swings with the load, so the CPU time of the ffmpeg child processes is reported next to it.
/// </summary>
internal sealed class SegmentationBenchmark : IBenchmark
{
    /// <summary>Scene lengths in seconds, cycled until the clip is long enough: short ones get merged, long ones split.</summary>
    private static readonly double[] SceneSeconds = [12, 3, 27, 41, 8, 2.5, 19, 66, 33, 4, 15, 24, 9, 51, 6, 38];

    private static readonly string[] Sources = ["testsrc", "smptebars", "color=c=red", "testsrc2", "color=c=blue", "smptehdbars", "color=c=yellow", "rgbtestsrc"];

    public string Name => "segmentation";

    public string Description => "long-video segmentation + planning vs clip duration [--runs N] [--minutes M] [--size WxH] [clip]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int runs = 5;
        double minutes = 10;
        string size = "1280x720";
        string? clip = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--minutes": minutes = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--size": size = args[++i]; break;
                default: clip = args[i]; break;
            }
        }
        var tools = FfmpegTools.Default;
        clip ??= await SynthesiseAsync(tools.FfmpegPath, minutes, size, cancellationToken);

        var prober = new MediaProber(tools);
        var segmenter = new VideoSegmenter(new SceneCutDetector(tools));
        var sceneOptions = new SegmentationOptions();
        var fixedOptions = sceneOptions with { Mode = SegmentationMode.Fixed };
        var frames = new FrameOptions();
        string[] decodeOnly = ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", clip, "-map", "0:v:0", "-an", "-sn", "-dn", "-f", "null", "-"];

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average {BenchProcess.LoadAverage()}");
        var probe = await prober.ProbeAsync(clip, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"clip: {Path.GetFileName(clip)} {probe.Width}x{probe.Height} {probe.VideoCodec}, {probe.DurationSeconds:0.0} s, {probe.FrameCount} frames"));

        // Warm the page cache so every timed run reads the file from memory.
        await BenchProcess.RunFfmpegAsync(tools.FfmpegPath, decodeOnly, cancellationToken);

        var scenes = new List<double>();
        var fixedLength = new List<double>();
        var decode = new List<double>();
        var scenesCpu = new List<double>();
        var fixedCpu = new List<double>();
        var decodeCpu = new List<double>();
        VideoSegmentation? result = null;
        for (int run = 0; run < runs; run++)
        {
            var watch = Stopwatch.StartNew();
            double cpu = ChildCpuSeconds();
            var p = await prober.ProbeAsync(clip, cancellationToken);
            result = await segmenter.SegmentAsync(clip, p, sceneOptions, cancellationToken);
            PlanAll(result, p, frames);
            scenes.Add(watch.Elapsed.TotalSeconds);
            scenesCpu.Add(ChildCpuSeconds() - cpu);

            watch.Restart();
            cpu = ChildCpuSeconds();
            var f = await prober.ProbeAsync(clip, cancellationToken);
            PlanAll(await segmenter.SegmentAsync(clip, f, fixedOptions, cancellationToken), f, frames);
            fixedLength.Add(watch.Elapsed.TotalSeconds);
            fixedCpu.Add(ChildCpuSeconds() - cpu);

            watch.Restart();
            cpu = ChildCpuSeconds();
            await BenchProcess.RunFfmpegAsync(tools.FfmpegPath, decodeOnly, cancellationToken);
            decode.Add(watch.Elapsed.TotalSeconds);
            decodeCpu.Add(ChildCpuSeconds() - cpu);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {run + 1}: scenes {scenes[^1]:0.000} s ({scenesCpu[^1]:0.00} s cpu), fixed {fixedLength[^1]:0.000} s ({fixedCpu[^1]:0.00} s cpu), decode only {decode[^1]:0.000} s ({decodeCpu[^1]:0.00} s cpu)"));
        }

        double s = BenchProcess.Median(scenes), x = BenchProcess.Median(fixedLength), d = BenchProcess.Median(decode), duration = probe.DurationSeconds;
        double sc = BenchProcess.Median(scenesCpu), xc = BenchProcess.Median(fixedCpu), dc = BenchProcess.Median(decodeCpu);
        var lengths = result!.Segments.Select(seg => seg.DurationSeconds).ToList();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scene mode: {result.Cuts.Count} cuts found, {result.Segments.Count} segments ({lengths.Min():0.0}-{lengths.Max():0.0} s), method {result.MethodName}"));
        Console.WriteLine();
        Console.WriteLine("| step | median wall | / clip duration | x realtime | median ffmpeg/ffprobe CPU |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        Row("probe + scene detection + segment rules + frame plans (scenes)", s, sc, duration);
        Row("probe + fixed-length segments + frame plans (fixed)", x, xc, duration);
        Row("plain `ffmpeg -i clip -f null -` decode (floor)", d, dc, duration);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scene mode / plain decode: {s / d:0.00}x wall, {sc / dc:0.00}x CPU; medians of {runs} runs; load average after: {BenchProcess.LoadAverage()}"));
        return 0;
    }

    private static void Row(string step, double seconds, double cpuSeconds, double duration) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {step} | {seconds:0.000} s | {seconds / duration:0.0000} | {duration / seconds:0}x | {cpuSeconds:0.00} s |"));

    /// <summary>User + system CPU of this process's finished children (cutime + cstime in /proc/self/stat), in seconds.</summary>
    private static double ChildCpuSeconds()
    {
        if (!File.Exists("/proc/self/stat"))
        {
            return double.NaN;
        }
        string stat = File.ReadAllText("/proc/self/stat");
        // Fields after the ")" that ends the command name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        const double ticksPerSecond = 100; // USER_HZ on Linux
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / ticksPerSecond;
    }

    /// <summary>What a long upload goes through before its first segment can be prepared: a frame plan for every segment.</summary>
    private static void PlanAll(VideoSegmentation segmentation, MediaProbe probe, FrameOptions frames)
    {
        foreach (var segment in segmentation.Segments)
        {
            FramePlanner.PlanVideo(segment.FrameCount, probe.AverageFps, probe.Width, probe.Height, frames);
        }
    }

    private static async Task<string> SynthesiseAsync(string ffmpeg, double minutes, string size, CancellationToken cancellationToken)
    {
        string path = Path.Combine(Path.GetTempPath(), "narrator-bench", string.Create(CultureInfo.InvariantCulture, $"scenes-{minutes:0.#}min-{size}-h264.mp4"));
        if (File.Exists(path))
        {
            return path;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var arguments = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error", "-y" };
        var graph = new System.Text.StringBuilder();
        double total = 0;
        int n = 0;
        while (total < minutes * 60 - 1e-9)
        {
            double seconds = Math.Min(SceneSeconds[n % SceneSeconds.Length], minutes * 60 - total);
            string source = Sources[n % Sources.Length];
            string separator = source.Contains('=') ? ":" : "=";
            arguments.AddRange(["-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"{source}{separator}d={seconds}:s={size}:r=25")]);
            graph.Append(CultureInfo.InvariantCulture, $"[{n}:v]");
            total += seconds;
            n++;
        }
        graph.Append(CultureInfo.InvariantCulture, $"concat=n={n}:v=1:a=0,format=yuv420p");
        string partial = path + ".part.mp4";
        arguments.AddRange(["-filter_complex", graph.ToString(), "-c:v", "libx264", "-preset", "veryfast", "-g", "250", partial]);
        Console.Error.WriteLine($"synthesising {path} ({minutes} min, {size}, {n} scenes, H.264)...");
        await BenchProcess.RunFfmpegAsync(ffmpeg, arguments, cancellationToken);
        File.Move(partial, path);
        return path;
    }
}
