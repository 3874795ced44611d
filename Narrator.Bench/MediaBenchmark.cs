using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Narrator.Model.Media;

namespace Narrator.Bench;

/// <summary>
/// Issue 2: plan + extract + patchify (<see cref="MediaPreparer"/>) against one plain ffmpeg command doing the same
/// select + scale to rawvideo, and against one ffmpeg seek per frame. Runs are interleaved so machine load hits all
/// alike, and CPU time (this process + its ffmpeg children) is reported next to wall time because the box is shared.
/// </summary>
internal sealed class MediaBenchmark : IBenchmark
{
    public string Name => "media";

    public string Description => "media preprocessing vs plain ffmpeg and per-frame seeking [--runs N] [--seek-runs N] [clip ...]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var runs = 7;
        var seekRuns = 3;
        var clipPaths = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seek-runs": seekRuns = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: clipPaths.Add(args[i]); break;
            }
        }
        if (clipPaths.Count == 0)
        {
            clipPaths.Add(Path.GetFullPath(Path.Combine("..", "shared", "clips", "Megamind.avi")));
            clipPaths.Add(await Synthesise1080pAsync(cancellationToken));
        }

        var tools = FfmpegTools.Default;
        var preparer = new MediaPreparer(new MediaProber(tools), new FrameExtractor(tools));
        var options = new FrameOptions();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average before: {BenchProcess.LoadAverage()}");
        Console.WriteLine($"ffmpeg: {await BenchProcess.FfmpegVersionAsync(tools.FfmpegPath, cancellationToken)}");
        Console.WriteLine();
        Console.WriteLine("| clip | plan | plain ffmpeg select+scale | Narrator plan+extract+patchify | ratio | PrepareAsync incl. ffprobe | ratio | per-frame seek | seek / Narrator |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");

        foreach (var clip in clipPaths)
        {
            var probe = await preparer.Prober.ProbeAsync(clip, cancellationToken);
            var plan = FramePlanner.Plan(probe, options);
            var baselineArguments = FrameExtractor.Arguments(clip, probe, plan).ToList();
            baselineArguments[^1] = "/dev/null";
            baselineArguments.Insert(baselineArguments.Count - 1, "-y");

            // One warm-up of each so the file is in the page cache and the code is jitted for every timed run.
            await preparer.PrepareAsync(clip, options, cancellationToken);
            await BenchProcess.RunFfmpegAsync(tools.FfmpegPath, baselineArguments, cancellationToken);

            List<Cost> baseline = [], planned = [], prepared = [], seek = [];
            for (var run = 0; run < Math.Max(runs, seekRuns); run++)
            {
                if (run < runs)
                {
                    baseline.Add(await MeasureAsync(() => BenchProcess.RunFfmpegAsync(tools.FfmpegPath, baselineArguments, cancellationToken)));
                    // The server probes at upload, so plan+extract+patchify from a probe is the request path; with the probe is the CLI path.
                    planned.Add(await MeasureAsync(() => preparer.PrepareAsync(clip, probe, options, cancellationToken)));
                    prepared.Add(await MeasureAsync(() => preparer.PrepareAsync(clip, options, cancellationToken)));
                }
                if (run < seekRuns)
                {
                    seek.Add(await MeasureAsync(() => SeekEachFrameAsync(tools.FfmpegPath, clip, probe, plan, cancellationToken)));
                }
                Console.Error.WriteLine(
                    $"{Path.GetFileName(clip)} run {run + 1}: ffmpeg {Last(baseline)}, plan+extract+patchify {Last(planned)}, with probe {Last(prepared)}, seek {Last(seek)}");
            }

            Cost b = Median(baseline), n = Median(planned), p = Median(prepared), s = Median(seek);
            string seekCells = seek.Count == 0 ? "| not run | – |"
                : string.Create(CultureInfo.InvariantCulture, $"| {s} | {s.Wall / n.Wall:0.0}x wall, {s.Cpu / n.Cpu:0.0}x CPU |");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Path.GetFileName(clip)} ({probe.Width}x{probe.Height}, {probe.FrameCount} frames, {probe.VideoCodec}) | {plan.NFrames} frames @ {plan.ResizedWidth}x{plan.ResizedHeight} " +
                $"| {b} | {n} | {n.Wall / b.Wall:0.00}x wall, {n.Cpu / b.Cpu:0.00}x CPU | {p} | {p.Wall / b.Wall:0.00}x wall, {p.Cpu / b.Cpu:0.00}x CPU " +
                $"{seekCells}"));
        }
        Console.WriteLine();
        Console.WriteLine($"medians of {runs} interleaved runs ({seekRuns} for per-frame seeking); cells are wall / CPU seconds (CPU = this process + ffmpeg children); load average after: {BenchProcess.LoadAverage()}");
        return 0;
    }

    /// <summary>The slow way: one ffmpeg process per frame, each seeking (accurately) to the frame's timestamp.</summary>
    private static async Task SeekEachFrameAsync(string ffmpeg, string clip, MediaProbe probe, FramePlan plan, CancellationToken cancellationToken)
    {
        foreach (var index in plan.Indices)
        {
            var seconds = (index / probe.AverageFps).ToString("0.######", CultureInfo.InvariantCulture);
            await BenchProcess.RunFfmpegAsync(ffmpeg, [
                "-nostdin", "-hide_banner", "-loglevel", "error", "-ss", seconds, "-i", clip, "-frames:v", "1",
                "-vf", $"scale=w={plan.ResizedWidth}:h={plan.ResizedHeight}:flags={FrameExtractor.ScaleFlags},format=rgb24",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", "/dev/null",
            ], cancellationToken);
        }
    }

    private static async Task<string> Synthesise1080pAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), "narrator-bench", "synthetic-1080p-60s-h264.mp4");
        if (File.Exists(path))
        {
            return path;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Console.Error.WriteLine($"synthesising {path} (60 s, 1920x1080, 24 fps, H.264)...");
        var partial = path + ".part.mp4";
        await BenchProcess.RunFfmpegAsync(FfmpegTools.Default.FfmpegPath, [
            "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=24:d=60",
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", partial,
        ], cancellationToken);
        File.Move(partial, path);
        return path;
    }

    private readonly record struct Cost(double Wall, double Cpu)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Wall:0.000} / {Cpu:0.000} s");
    }

    private static async Task<Cost> MeasureAsync(Func<Task> action)
    {
        var cpuBefore = CpuSeconds();
        var stopwatch = Stopwatch.StartNew();
        await action();
        var wall = stopwatch.Elapsed.TotalSeconds;
        return new Cost(wall, CpuSeconds() - cpuBefore);
    }

    /// <summary>User + system CPU of this process and of its finished (reaped) children, from getrusage.</summary>
    private static double CpuSeconds()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        }
        getrusage(RusageSelf, out var self);
        getrusage(RusageChildren, out var children);
        return self.Seconds + children.Seconds;
    }

    private const int RusageSelf = 0;
    private const int RusageChildren = -1;

    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss, Ixrss, Idrss, Isrss, Minflt, Majflt, Nswap, Inblock, Oublock, Msgsnd, Msgrcv, Nsignals, Nvcsw, Nivcsw;

        public readonly double Seconds => UserSeconds + SystemSeconds + (UserMicroseconds + SystemMicroseconds) / 1e6;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out Rusage usage);

    private static Cost Median(List<Cost> values)
    {
        if (values.Count == 0)
        {
            return new Cost(double.NaN, double.NaN);
        }
        return new Cost(BenchProcess.Median(values.Select(v => v.Wall)), BenchProcess.Median(values.Select(v => v.Cpu)));
    }

    private static string Last(List<Cost> values) => values.Count == 0 ? "-" : values[^1].ToString();
}
