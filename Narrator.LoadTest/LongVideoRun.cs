using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Narrator.Web.Api;
using Narrator.Web.Narrations;

namespace Narrator.LoadTest;

/// <summary>
/// One long clip through the server as a visitor sends it, timed from the SSE stream: the upload (probe, thumbnails,
/// preview), the split (scene detection on the preprocessing pool, until the planned segments arrive), the first token,
/// and per segment how long it waited for its frames (the next segment is prepared while the model works) — repeated,
/// medians reported. <c>long CLIP [runs=3] [maxNewTokens=16] [pauseSeconds=0]</c>: the pause between the upload and
/// Describe stands for a person choosing a template (the server splits a long upload in the background meanwhile).
/// The segmentation benchmark writes a 10-minute clip with known scenes to /tmp/narrator-bench/.
/// </summary>
internal static class LongVideoRun
{
    private sealed record RunFigures(double UploadSeconds, double SplitSeconds, double FirstTokenSeconds, double TotalSeconds,
        int Segments, double FirstFramesWaitSeconds, double LaterFramesWaitMedianSeconds, double LaterFramesWaitMaxSeconds, int GeneratedTokens);

    public static async Task<int> RunAsync(string clip, int runs, int maxNewTokens, double pauseSeconds, CancellationToken cancellationToken)
    {
        string work = Path.Combine(Path.GetTempPath(), "narrator-long-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            await using var server = LoadServer.Start(Path.Combine(work, "data"), queueCapacity: 8, perOwnerLimit: 2);
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
            await server.PacedEngine.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken);
            await LoadRun.WaitReadyAsync(http, cancellationToken);
            byte[] bytes = await File.ReadAllBytesAsync(clip, cancellationToken);
            var figures = new List<RunFigures>();
            for (int run = 0; run < runs; run++)
            {
                var result = await RunOnceAsync(http, bytes, Path.GetFileName(clip), maxNewTokens, pauseSeconds, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {run + 1}: upload {result.UploadSeconds:0.0} s, split {result.SplitSeconds:0.0} s, first token {result.FirstTokenSeconds:0.0} s, " +
                    $"total {result.TotalSeconds:0.0} s, {result.Segments} segments, frames wait first {result.FirstFramesWaitSeconds:0.00} s / later median " +
                    $"{result.LaterFramesWaitMedianSeconds:0.00} s max {result.LaterFramesWaitMaxSeconds:0.00} s, {result.GeneratedTokens} tokens, load {LoadAverage()}"));
                figures.Add(result);
            }
            double Median(Func<RunFigures, double> pick) => LoadRun.Percentile(figures.Select(pick).ToList(), 50);
            Console.WriteLine();
            Console.WriteLine($"| {Path.GetFileName(clip)} (median of {runs}) | upload | split (to the plan) | first token | whole narration | segments | frames wait: first / later median / later max |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {maxNewTokens} tokens per segment, Describe {pauseSeconds:0} s after the upload | {Median(f => f.UploadSeconds):0.0} s | {Median(f => f.SplitSeconds):0.0} s | {Median(f => f.FirstTokenSeconds):0.0} s | " +
                $"{Median(f => f.TotalSeconds):0.0} s | {figures[0].Segments} | {Median(f => f.FirstFramesWaitSeconds):0.00} / {Median(f => f.LaterFramesWaitMedianSeconds):0.00} / {Median(f => f.LaterFramesWaitMaxSeconds):0.00} s |"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<RunFigures> RunOnceAsync(HttpClient http, byte[] bytes, string name, int maxNewTokens, double pauseSeconds,
        CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        form.Add(file, "file", name);
        using var uploaded = await http.PostAsync("/api/clips", form, cancellationToken);
        if (!uploaded.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The upload was refused: {await uploaded.Content.ReadAsStringAsync(cancellationToken)}");
        }
        var clip = (await uploaded.Content.ReadFromJsonAsync<ClipInfo>(LoadClients.Json, cancellationToken))!;
        double upload = watch.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(pauseSeconds), cancellationToken);

        // Few small frames per segment: the figure is about the server's path, not the tiny model's prefill.
        using var started = await http.PostAsJsonAsync("/api/narrations", new
        {
            clipId = clip.Id, prompt = "Describe this part of the film.", maxNewTokens, maxFrames = 16, maxPixels = 100352,
        }, cancellationToken);
        started.EnsureSuccessStatusCode();
        var accepted = (await started.Content.ReadFromJsonAsync<NarrationAccepted>(LoadClients.Json, cancellationToken))!;
        var begun = Stopwatch.StartNew();
        double split = 0, firstToken = 0;
        int segments = 0;
        var framesWait = new List<double>();
        double preparingSince = -1;
        bool generating = false;
        using var response = await http.GetAsync(accepted.EventsUrl, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        JsonElement final = default;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }
            using var document = JsonDocument.Parse(line[6..]);
            var data = document.RootElement;
            double now = begun.Elapsed.TotalSeconds;
            switch (data.GetProperty("type").GetString())
            {
                case "segment" when !data.GetProperty("finished").GetBoolean() && split == 0:
                    split = now;
                    segments = data.GetProperty("count").GetInt32();
                    break;
                case "stage":
                    string stage = data.GetProperty("stage").GetString()!;
                    generating |= stage == "generating";
                    if (stage == "preparing frames")
                    {
                        preparingSince = now;
                    }
                    else if (preparingSince >= 0)
                    {
                        framesWait.Add(now - preparingSince);
                        preparingSince = -1;
                    }
                    break;
                // The first piece after the engine started generating: segment headings come before it.
                case "token" when firstToken == 0 && generating:
                    firstToken = now;
                    break;
                case "completed" or "failed":
                    final = data.Clone();
                    break;
            }
        }
        if (final.GetProperty("type").GetString() != "completed")
        {
            throw new InvalidOperationException($"The narration failed: {final.GetProperty("error").GetString()}");
        }
        var later = framesWait.Skip(1).ToList();
        return new RunFigures(upload, split, firstToken, begun.Elapsed.TotalSeconds, segments, framesWait.FirstOrDefault(),
            LoadRun.Percentile(later, 50), later.Count > 0 ? later.Max() : 0, final.GetProperty("stats").GetProperty("generatedTokens").GetInt32());
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
