using System.Diagnostics;
using System.Globalization;
using System.Text;
using Narrator.Model.Media;
using Narrator.Model.Subtitles;

namespace Narrator.Bench;

/// <summary>
/// Issue 17: what subtitles cost on a long clip. Listing the subtitle streams (one ffprobe) next to the upload's own probe,
/// reading a text stream into lines (ffmpeg writes SubRip, C# parses it) for MP4 (mov_text) and MKV (SubRip) next to the
/// floor of demuxing the same stream without decoding it, and parsing a visitor's large .srt in C#. The default clip is a
/// synthesised 10-minute 720p H.264 video with a cue every 2 seconds, remuxed (no re-encode) with each subtitle format.
/// </summary>
internal sealed class SubtitleBenchmark : IBenchmark
{
    public string Name => "subtitles";

    public string Description => "subtitle stream listing/extraction on a long clip vs probe and demux floor [--runs N] [--minutes M] [--size WxH]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int runs = 7;
        double minutes = 10;
        string size = "1280x720";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--minutes": minutes = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--size": size = args[++i]; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }
        var tools = FfmpegTools.Default;
        string folder = Path.Combine(Path.GetTempPath(), "narrator-bench");
        Directory.CreateDirectory(folder);
        string video = await SynthesiseAsync(tools.FfmpegPath, folder, minutes, size, cancellationToken);
        string srtPath = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"cues-{minutes:0.#}min.srt"));
        int cues = (int)(minutes * 60 / 2);
        await File.WriteAllTextAsync(srtPath, Srt(cues), cancellationToken);
        string mp4 = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"subtitled-{minutes:0.#}min-{size}.mp4"));
        string mkv = Path.ChangeExtension(mp4, ".mkv");
        await BenchProcess.RunFfmpegAsync(tools.FfmpegPath, ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", video, "-i", srtPath,
            "-map", "0:v", "-map", "1:s", "-c:v", "copy", "-c:s", "mov_text", mp4], cancellationToken);
        await BenchProcess.RunFfmpegAsync(tools.FfmpegPath, ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", video, "-i", srtPath,
            "-map", "0:v", "-map", "1:s", "-c:v", "copy", "-c:s", "srt", mkv], cancellationToken);

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average {BenchProcess.LoadAverage()}");
        var prober = new MediaProber(tools);
        var reader = new SubtitleStreamReader(tools);
        Console.WriteLine();
        Console.WriteLine("| file | step | median | p90 | vs floor / probe |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (string clip in new[] { mp4, mkv })
        {
            var probe = await prober.ProbeAsync(clip, cancellationToken);
            var stream = (await reader.ListAsync(clip, probe, cancellationToken)).Single();
            string[] floor = ["-nostdin", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file", "-f", MediaFormatPolicy.PinnedDemuxer(probe), "-i", clip,
                "-map", $"0:{stream.Index}", "-c", "copy", "-f", "null", "-"];
            await BenchProcess.RunFfmpegAsync(tools.FfmpegPath, floor, cancellationToken); // warm the page cache

            var probeMs = await TimeAsync(runs, () => prober.ProbeAsync(clip, cancellationToken));
            var listMs = await TimeAsync(runs, () => reader.ListAsync(clip, probe, cancellationToken));
            int lines = 0;
            var extractMs = await TimeAsync(runs, async () => lines = (await reader.ExtractAsync(clip, probe, stream, cancellationToken)).Lines.Count);
            var floorMs = await TimeAsync(runs, () => BenchProcess.RunFfmpegAsync(tools.FfmpegPath, floor, cancellationToken));
            if (lines != cues)
            {
                Console.Error.WriteLine($"expected {cues} lines from {Path.GetFileName(clip)}, read {lines}");
                return 1;
            }
            string name = $"{Path.GetFileName(clip)} ({probe.DurationSeconds:0} s, {stream.Codec}, {lines} cues)";
            Row(name, "upload probe (FFMpegCore ffprobe), for scale", probeMs, "");
            Row(name, "list subtitle streams (ffprobe -select_streams s)", listMs, $"{BenchProcess.Median(listMs) / BenchProcess.Median(probeMs):0.00}x the probe");
            Row(name, "read the stream into lines (ffmpeg → SubRip → C# parse)", extractMs,
                $"{BenchProcess.Median(extractMs) / BenchProcess.Median(floorMs):0.00}x the floor");
            Row(name, "floor: demux the stream, no decode (`-c copy -f null`)", floorMs, "1.00x");
        }

        // A visitor's own file at the size limit, parsed in C# (never handed to ffmpeg).
        int perCue = Encoding.UTF8.GetByteCount(Srt(1000)) / 1000 + 1;
        byte[] bytes = Encoding.UTF8.GetBytes(Srt(SubtitleFileReader.MaxBytes / perCue * 97 / 100));
        int parsed = 0;
        var parseMs = await TimeAsync(runs, () => Task.FromResult(parsed = SubtitleFileReader.Read(bytes, "big.srt").Lines.Count));
        Row($"visitor .srt, {bytes.Length / 1024} KB", $"decode + parse in C# ({parsed} cues)", parseMs, "");
        Console.WriteLine();
        Console.WriteLine($"medians of {runs} runs; load average after: {BenchProcess.LoadAverage()}");
        return 0;
    }

    private static async Task<List<double>> TimeAsync(int runs, Func<Task> work)
    {
        var times = new List<double>(runs);
        for (int run = 0; run < runs; run++)
        {
            var watch = Stopwatch.StartNew();
            await work();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    private static void Row(string file, string step, List<double> milliseconds, string ratio)
    {
        var sorted = milliseconds.Order().ToList();
        double p90 = sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.9) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {file} | {step} | {BenchProcess.Median(milliseconds):0.0} ms | {p90:0.0} ms | {ratio} |"));
    }

    /// <summary>One two-line cue every 2 seconds, alternating English and Chinese, like a dubbed film's subtitles.</summary>
    private static string Srt(int cues)
    {
        var text = new StringBuilder();
        for (int i = 0; i < cues; i++)
        {
            string start = Clock(i * 2.0), end = Clock(i * 2.0 + 1.6);
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}\n{start} --> {end}\n");
            text.Append(i % 2 == 0 ? $"<i>Line {i}:</i> where were you last night?\nI waited until the last train.\n\n" : $"第 {i} 句：你昨晚去哪儿了？\n我一直等到末班车。\n\n");
        }
        return text.ToString();
    }

    private static string Clock(double seconds)
    {
        var time = TimeSpan.FromSeconds(seconds);
        return string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours:00}:{time.Minutes:00}:{time.Seconds:00},{time.Milliseconds:000}");
    }

    private static async Task<string> SynthesiseAsync(string ffmpeg, string folder, double minutes, string size, CancellationToken cancellationToken)
    {
        string path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"pattern-{minutes:0.#}min-{size}-h264.mp4"));
        if (File.Exists(path))
        {
            return path;
        }
        string partial = path + ".part.mp4";
        Console.Error.WriteLine($"synthesising {path} ({minutes} min, {size}, H.264)...");
        await BenchProcess.RunFfmpegAsync(ffmpeg, ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            string.Create(CultureInfo.InvariantCulture, $"testsrc2=d={minutes * 60}:s={size}:r=25"), "-c:v", "libx264", "-preset", "veryfast", "-g", "250",
            "-pix_fmt", "yuv420p", partial], cancellationToken);
        File.Move(partial, path);
        return path;
    }
}
