using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Narrator.Web.Api;
using Narrator.Web.Narrations;

namespace Narrator.LoadTest;

/// <summary>
/// The server side of a load run: starts Narrator.Web with the tiny model, samples its memory, runs the visitors in a
/// child process (so the server's memory is its own), then checks every stream against the generator and the history.
/// </summary>
internal static class LoadRun
{
    public static async Task<int> RunAsync(int clients, int maxNewTokens, int capacity, int perOwnerLimit, bool burst, string? jsonOut, CancellationToken cancellationToken)
    {
        string work = Path.Combine(Path.GetTempPath(), "narrator-load-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            string clip = Path.Combine(work, "load-clip.mp4");
            await TestFfmpeg.RunAsync(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=15:duration=3",
                "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", clip], cancellationToken);

            await using var server = LoadServer.Start(Path.Combine(work, "data"), capacity, perOwnerLimit);
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            var engine = await server.PacedEngine.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken);
            await WaitReadyAsync(http, cancellationToken);
            var ready = await http.GetFromJsonAsync<ReadinessReport>("/readyz", LoadClients.Json, cancellationToken);

            using var process = Process.GetCurrentProcess();
            long baseline = CurrentRss();
            long peakSampled = baseline;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peakSampled = Math.Max(peakSampled, CurrentRss());
                    try
                    {
                        await Task.Delay(50, sampling.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }, CancellationToken.None);

            string results = Path.Combine(work, "clients.json");
            var wall = Stopwatch.StartNew();
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
            await TestProcess.RunAsync(dotnet, [typeof(LoadRun).Assembly.Location, "clients", server.BaseAddress.ToString(),
                clients.ToString(CultureInfo.InvariantCulture), clip, maxNewTokens.ToString(CultureInfo.InvariantCulture), burst ? "burst" : "staggered", results],
                "the load clients failed", captureErrors: false, cancellationToken);
            wall.Stop();
            await sampling.CancelAsync();
            await sampler;
            long peakRss = Math.Max(peakSampled, PeakRssFromProc());

            var outcome = JsonSerializer.Deserialize<List<ClientResult>>(await File.ReadAllTextAsync(results, cancellationToken), LoadClients.Json)!;
            var report = Analyse(outcome, engine, baseline, peakRss, wall.Elapsed);
            report = report with { AfterLoad = await CheckStillServingAsync(http, clip, cancellationToken), Model = ready?.Model ?? "", Clients = clients, MaxNewTokens = maxNewTokens, Capacity = capacity, Burst = burst };
            Console.WriteLine(report.ToMarkdown());
            if (jsonOut is not null)
            {
                await File.WriteAllTextAsync(jsonOut, JsonSerializer.Serialize(report, LoadClients.Json), cancellationToken);
            }
            return report.Mismatches == 0 && report.Errors == 0 && report.AfterLoad.StartsWith("ok", StringComparison.Ordinal) ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(work, recursive: true);
        }
    }

    private static LoadReport Analyse(List<ClientResult> results, PacedEngine engine, long baselineRss, long peakRss, TimeSpan wall)
    {
        var latencies = new List<double>();
        int mismatches = 0;
        var problems = new List<string>();
        foreach (var result in results.Where(r => r.Outcome == "completed"))
        {
            var emitted = engine.PiecesFor(result.Prompt);
            string generated = string.Concat(emitted.Select(p => p.Text));
            // No token lost or duplicated: what the generator emitted, what the client streamed, the final event and the history agree.
            if (generated != result.StreamedText || result.StreamedText != result.CompletedText || result.StreamedText != result.StoredText
                || emitted.Count != result.TokenReceived.Count)
            {
                mismatches++;
                problems.Add($"client {result.Client}: generator {emitted.Count} pieces / client {result.TokenReceived.Count} tokens differ");
                continue;
            }
            for (int i = 0; i < emitted.Count; i++)
            {
                latencies.Add((result.TokenReceived[i] - emitted[i].Timestamp) * 1000.0 / Stopwatch.Frequency);
            }
        }
        var queue = results.Where(r => r.QueueSeconds is not null).Select(r => r.QueueSeconds!.Value).ToList();
        var positionsRise = results.Count(r => r.Positions.Zip(r.Positions.Skip(1)).Any(p => p.Second > p.First));
        return new LoadReport
        {
            Completed = results.Count(r => r.Outcome == "completed"),
            Rejected = results.Count(r => r.Outcome == "rejected"),
            Failed = results.Count(r => r.Outcome == "failed"),
            Errors = results.Count(r => r.Outcome == "error"),
            RejectionCodes = string.Join(", ", results.Where(r => r.FailureCode is not null).GroupBy(r => r.FailureCode).Select(g => $"{g.Key} x{g.Count()}")),
            Mismatches = mismatches,
            PositionIncreases = positionsRise,
            Tokens = latencies.Count,
            QueueP50Seconds = Percentile(queue, 50),
            QueueP95Seconds = Percentile(queue, 95),
            TokenLatencyP50Milliseconds = Percentile(latencies, 50),
            TokenLatencyP95Milliseconds = Percentile(latencies, 95),
            TokenLatencyMaxMilliseconds = latencies.Count > 0 ? latencies.Max() : 0,
            UploadP50Milliseconds = Percentile(results.Select(r => r.UploadMilliseconds).ToList(), 50),
            UploadP95Milliseconds = Percentile(results.Select(r => r.UploadMilliseconds).ToList(), 95),
            BaselineRssMegabytes = baselineRss / 1048576.0,
            PeakRssMegabytes = peakRss / 1048576.0,
            WallSeconds = wall.TotalSeconds,
            Problems = problems.Concat(results.Where(r => r.Outcome == "error").Select(r => $"client {r.Client}: {r.Error}")).Take(10).ToList(),
        };
    }

    /// <summary>After the load: health, readiness, and one more narration end to end over the HTTP API.</summary>
    private static async Task<string> CheckStillServingAsync(HttpClient http, string clip, CancellationToken cancellationToken)
    {
        using var health = await http.GetAsync("/healthz", cancellationToken);
        using var ready = await http.GetAsync("/readyz", cancellationToken);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(clip, cancellationToken)), "file", "after.mp4" } };
        using var uploaded = await http.PostAsync("/api/clips", form, cancellationToken);
        var info = await uploaded.Content.ReadFromJsonAsync<ClipInfo>(LoadClients.Json, cancellationToken);
        using var started = await http.PostAsJsonAsync("/api/narrations", new { clipId = info!.Id, prompt = "after the load", maxNewTokens = 8, nFrames = 2, minPixels = 3136, maxPixels = 3136 }, cancellationToken);
        var accepted = await started.Content.ReadFromJsonAsync<NarrationAccepted>(LoadClients.Json, cancellationToken);
        for (int i = 0; i < 600; i++)
        {
            var record = await http.GetFromJsonAsync<NarrationRecord>(accepted!.StatusUrl, LoadClients.Json, cancellationToken);
            if (record!.State is NarrationState.Completed or NarrationState.Failed)
            {
                return $"{(health.IsSuccessStatusCode && ready.IsSuccessStatusCode && record.State == NarrationState.Completed ? "ok" : "NOT OK")}: /healthz {(int)health.StatusCode}, /readyz {(int)ready.StatusCode}, a new narration {record.State}";
            }
            await Task.Delay(100, cancellationToken);
        }
        return "NOT OK: a narration after the load did not finish within a minute";
    }

    internal static async Task WaitReadyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        for (int i = 0; i < 600; i++)
        {
            using var response = await http.GetAsync("/readyz", cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return;
            }
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException("The server did not become ready within a minute.");
    }

    private static long CurrentRss()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>VmHWM: the kernel's record of this process's peak resident memory.</summary>
    private static long PeakRssFromProc()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    internal static double Percentile(List<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        values.Sort();
        double rank = percentile / 100 * (values.Count - 1);
        int low = (int)Math.Floor(rank);
        int high = Math.Min(values.Count - 1, low + 1);
        return values[low] + (values[high] - values[low]) * (rank - low);
    }
}
