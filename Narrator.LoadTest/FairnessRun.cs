using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Narrator.Web.Narrations;

namespace Narrator.LoadTest;

/// <summary>
/// Issue 12, item 3: is a visitor's small upload still quick while another visitor (another address) uploads the
/// heaviest legal clip? <c>fairness [HEAVY_CLIP] [runs=5]</c>: the small clip's upload (probe, plan, thumbnails, until the
/// 201) alone, then again and again from the moment the heavy upload starts until its background work (the split) is
/// done; medians and their ratio (target: at most 3x). Without a clip, a 600 s 4096x4096 60 fps H.264 one is written to
/// /tmp/narrator-bench/ (10 s encoded once, looped by stream copy).
/// </summary>
internal static class FairnessRun
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static async Task<int> RunAsync(string? heavyClip, int runs, CancellationToken cancellationToken)
    {
        string bench = Path.Combine(Path.GetTempPath(), "narrator-bench");
        Directory.CreateDirectory(bench);
        heavyClip ??= await HeaviestLegalClipAsync(bench, cancellationToken);
        string small = Path.Combine(bench, "small-640x360-5s.mp4");
        if (!File.Exists(small))
        {
            await TestFfmpeg.RunAsync(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=5",
                "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", small], cancellationToken);
        }

        string work = Path.Combine(Path.GetTempPath(), "narrator-fairness-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = LoadServer.Start(Path.Combine(work, "data"), queueCapacity: 8, perOwnerLimit: 2);
            using var visitor = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
            using var heavyVisitor = server.HttpFrom(IPAddress.Parse("127.0.0.2"), TimeSpan.FromMinutes(30));
            await LoadRun.WaitReadyAsync(visitor, cancellationToken);
            byte[] smallBytes = await File.ReadAllBytesAsync(small, cancellationToken);
            byte[] heavyBytes = await File.ReadAllBytesAsync(heavyClip, cancellationToken);
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores; load average {LoadAverage()}");
            Console.WriteLine($"small: {Path.GetFileName(small)} ({smallBytes.Length / 1024} KB); heavy: {Path.GetFileName(heavyClip)} ({heavyBytes.Length / (1024 * 1024)} MB)");

            await UploadAsync(visitor, smallBytes, "warm-up.mp4", cancellationToken);
            var solo = new List<double>();
            for (int i = 0; i < 3 * runs; i++)
            {
                solo.Add((await UploadAsync(visitor, smallBytes, "small.mp4", cancellationToken)).Seconds);
            }

            var watch = Stopwatch.StartNew();
            var heavy = UploadAsync(heavyVisitor, heavyBytes, Path.GetFileName(heavyClip), cancellationToken);
            var contended = new List<double>();
            var whileAccepting = new List<double>();
            double? heavyAccepted = null, heavyDone = null;
            while (heavyDone is null || contended.Count < runs)
            {
                bool accepting = !heavy.IsCompleted;
                double seconds = (await UploadAsync(visitor, smallBytes, "small.mp4", cancellationToken)).Seconds;
                contended.Add(seconds);
                if (accepting)
                {
                    // Sent while the heavy clip was still arriving or being probed and thumbnailed.
                    whileAccepting.Add(seconds);
                }
                if (heavy.IsCompleted && heavyAccepted is null)
                {
                    heavyAccepted = (await heavy).Seconds;
                }
                if (heavyAccepted is not null && heavyDone is null && BackgroundDone(server.DataPath, (await heavy).Clip))
                {
                    heavyDone = watch.Elapsed.TotalSeconds;
                }
                if (watch.Elapsed > TimeSpan.FromMinutes(20))
                {
                    Console.WriteLine("the heavy clip's background work did not finish within 20 minutes; stopping");
                    break;
                }
            }
            var heavyClipInfo = (await heavy).Clip;

            double soloMedian = Median(solo), contendedMedian = Median(contended);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"small upload alone: median {soloMedian:0.000} s, min {solo.Min():0.000} s, max {solo.Max():0.000} s of {solo.Count}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"small upload beside the heavy one: median {contendedMedian:0.000} s, max {contended.Max():0.000} s of {contended.Count}"));
            if (whileAccepting.Count > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  of which sent while the heavy upload was arriving or being accepted: median {Median(whileAccepting):0.000} s, max {whileAccepting.Max():0.000} s of {whileAccepting.Count}"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ratio: {contendedMedian / soloMedian:0.00}x (target <= 3x); worst single upload {contended.Max() / soloMedian:0.00}x"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"heavy upload: accepted (201) after {heavyAccepted ?? double.NaN:0.0} s with {heavyClipInfo.Frames.Count} {(heavyClipInfo.FramesExact ? "exact" : "keyframe")} thumbnails; background split done after {heavyDone ?? double.NaN:0.0} s"));
            Console.WriteLine($"load average after: {LoadAverage()}");
            return contendedMedian <= 3 * soloMedian ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>The split beside a long clip has been written (the last piece of its background work).</summary>
    private static bool BackgroundDone(string dataPath, ClipInfo clip) =>
        Directory.Exists(Path.Combine(dataPath, "clips", clip.Id))
        && Directory.GetFiles(Path.Combine(dataPath, "clips", clip.Id), "segments-*.json").Length > 0;

    private static async Task<(double Seconds, ClipInfo Clip)> UploadAsync(HttpClient http, byte[] bytes, string name, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        form.Add(file, "file", name);
        using var response = await http.PostAsync("/api/clips", form, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Upload of {name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        var clip = (await response.Content.ReadFromJsonAsync<ClipInfo>(Json, cancellationToken))!;
        return (watch.Elapsed.TotalSeconds, clip);
    }

    private static async Task<string> HeaviestLegalClipAsync(string bench, CancellationToken cancellationToken)
    {
        string heavy = Path.Combine(bench, "heavy-4096x4096-60fps-600s.mp4");
        if (!File.Exists(heavy))
        {
            string chunk = Path.Combine(bench, "heavy-chunk.mp4");
            await TestFfmpeg.RunAsync(["-f", "lavfi", "-i", "testsrc=size=4096x4096:rate=60:duration=10",
                "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "35", chunk], cancellationToken);
            await TestFfmpeg.RunAsync(["-stream_loop", "59", "-i", chunk, "-c", "copy", heavy], cancellationToken);
        }
        return heavy;
    }

    /// <summary>A client whose connections come from another loopback address: another visitor to the server.</summary>
    private static double Median(List<double> values) => LoadRun.Percentile([.. values], 50);

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
