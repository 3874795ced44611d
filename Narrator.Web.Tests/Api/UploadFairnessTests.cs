using System.Diagnostics;
using System.Net;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// One visitor's heavy upload never keeps another visitor's small one waiting: the heavy one's quick part is bounded by
/// a pixel budget and its heavy parts run in the background at low priority. Bounds here are generous (a shared CI box);
/// the measured figures are in docs/BENCHMARKS.md (Narrator.LoadTest fairness).
/// </summary>
public sealed class UploadFairnessTests
{
    [Fact]
    public async Task A_small_upload_is_ready_in_a_few_times_its_solo_time_while_another_visitor_uploads_a_heavy_clip()
    {
        string heavy = await TestClips.HeavyMp4Async();
        string small = await TestClips.Mp4Async();
        await using var server = new NarratorServer(new Dictionary<string, string?> { ["Narrator:Uploads:MaxDurationSeconds"] = "600" }, new ScriptedChatClient());
        using var visitor = server.Http();
        using var heavyVisitor = server.HttpFrom(IPAddress.Parse("127.0.0.2"));

        var solo = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            solo.Add(await TimeUploadAsync(visitor, small));
        }

        var watch = Stopwatch.StartNew();
        var heavyUpload = NarratorServer.UploadClipAsync(heavyVisitor, heavy);
        var contended = new List<double>();
        while (contended.Count < 3 || (!heavyUpload.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(60)))
        {
            contended.Add(await TimeUploadAsync(visitor, small));
        }
        var heavyClip = await heavyUpload;
        double heavySeconds = watch.Elapsed.TotalSeconds;

        double soloMedian = Median(solo), contendedMedian = Median(contended);
        Assert.True(contendedMedian <= 5 * soloMedian + 3,
            $"small upload took {contendedMedian:0.00} s (median of {contended.Count}) beside the heavy one, {soloMedian:0.00} s alone");
        Assert.False(heavyClip.FramesExact, "the heavy clip's first thumbnails should be keyframes");
        Assert.True(heavySeconds < 90, $"the heavy upload took {heavySeconds:0.0} s to be accepted");
    }

    private static async Task<double> TimeUploadAsync(HttpClient http, string path)
    {
        var watch = Stopwatch.StartNew();
        await NarratorServer.UploadClipAsync(http, path);
        return watch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
