using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Narrator.Web.Narrations;
using Narrator.Web.Services.History;
using Narrator.Web.Tests.Engines;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// The real server process killed with SIGKILL in the middle of a narration and started again on the same data folder:
/// the running narration and the one queued behind it come back as "interrupted" (never 404), the running one with the
/// text it had streamed, over the API, the event stream, the list and the exports.
/// </summary>
public sealed class CrashRecoveryTests
{
    private static readonly string[] Pieces = ["The camera ", "pans across ", "a rainy street"];

    [Fact]
    public async Task Narrations_running_or_queued_when_the_process_is_killed_answer_interrupted_after_a_restart_with_the_partial_text()
    {
        var streamed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A remote engine that streams a few pieces and then holds the narration open until its caller dies.
        await using var remote = await ScriptedOpenAiServer.StartAsync(async (context, _) =>
        {
            await StreamThenHoldAsync(context, Pieces, streamed);
        });
        var settings = RemoteEngineSettings(remote.Endpoint);
        string data = Path.Combine(Path.GetTempPath(), "narrator-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        try
        {
            string running, queued;
            TestVisitor visitor;
            await using (var first = await ServerProcess.StartAsync(data, settings))
            {
                visitor = new TestVisitor(first.BaseAddress);
                var clip = await NarratorServer.UploadClipAsync(visitor.Http, await TestClips.Mp4Async());
                running = await VisitorOwnershipTests.StartAsync(visitor, clip.Id, "Describe the street.");
                queued = await VisitorOwnershipTests.StartAsync(visitor, clip.Id, "Waits behind it.");
                await streamed.Task.WaitAsync(TimeSpan.FromSeconds(120));
                // Kill only once the streamed text is on disk, as a checkpoint wrote it (what the visitor saw is what survives).
                await WaitForStoredTextAsync(Path.Combine(data, "narrator.db"), running, string.Concat(Pieces));
                await first.KillAsync();
            }

            await using var second = await ServerProcess.StartAsync(data, settings);
            using var again = visitor.On(second.BaseAddress);
            visitor.Dispose();

            var afterRunning = await again.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{running}", NarratorServer.Json);
            var afterQueued = await again.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{queued}", NarratorServer.Json);
            var listed = await VisitorOwnershipTests.ListAsync(again);
            var events = await SseReader.ReadAllAsync(again.Http, $"/api/narrations/{running}/events", null);
            using var json = JsonDocument.Parse(await again.Http.GetStringAsync($"/api/narrations/{running}/export?format=json"));
            string text = await again.Http.GetStringAsync($"/api/narrations/{running}/export?format=txt");
            using var emptyExport = await again.Http.GetAsync($"/api/narrations/{queued}/export");

            Assert.Equal(NarrationState.Interrupted, afterRunning!.State);
            Assert.Equal(FailureCodes.Interrupted, afterRunning.ErrorCode);
            Assert.Equal(NarrationHistory.InterruptedWhileRunning, afterRunning.Error);
            Assert.Equal(string.Concat(Pieces), afterRunning.Text);
            Assert.Equal(NarrationState.Interrupted, afterQueued!.State);
            Assert.Equal(NarrationHistory.InterruptedWhileQueued, afterQueued.Error);
            Assert.Equal("", afterQueued.Text);
            Assert.Equal(new[] { queued, running }.Order(), listed.Where(r => r.State == NarrationState.Interrupted).Select(r => r.Id).Order());
            var final = Assert.Single(events);
            Assert.Equal("failed", final.Name);
            Assert.Equal(FailureCodes.Interrupted, final.Data.GetProperty("code").GetString());
            Assert.Equal(string.Concat(Pieces), final.Data.GetProperty("partialText").GetString());
            Assert.Equal("interrupted", json.RootElement.GetProperty("state").GetString());
            Assert.Equal(string.Concat(Pieces), json.RootElement.GetProperty("segments")[0].GetProperty("text").GetString());
            Assert.StartsWith("(interrupted: ", text);
            Assert.Contains(string.Concat(Pieces), text);
            Assert.Equal(HttpStatusCode.Conflict, emptyExport.StatusCode);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_translation_running_when_the_process_is_killed_is_kept_with_its_narration_as_interrupted_with_its_partial_text()
    {
        string[] french = ["La caméra ", "balaie ", "une rue pluvieuse"];
        var translating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The narration completes; the translation streams a few pieces and is then held open until its caller dies; asked again, it completes.
        await using var remote = await ScriptedOpenAiServer.StartAsync(async (context, attempt) =>
        {
            if (attempt != 2)
            {
                await ScriptedOpenAiServer.StreamAsync(context, attempt == 1 ? Pieces : french);
                return;
            }
            await StreamThenHoldAsync(context, french, translating);
        });
        var settings = RemoteEngineSettings(remote.Endpoint);
        string data = Path.Combine(Path.GetTempPath(), "narrator-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        try
        {
            string narration;
            TestVisitor visitor;
            await using (var first = await ServerProcess.StartAsync(data, settings))
            {
                visitor = new TestVisitor(first.BaseAddress);
                var clip = await NarratorServer.UploadClipAsync(visitor.Http, await TestClips.Mp4Async());
                narration = await VisitorOwnershipTests.StartAsync(visitor, clip.Id, "Describe the street.");
                Assert.Equal(NarrationState.Completed, (await VisitorOwnershipTests.WaitEndedAsync(visitor, narration)).State);
                using var translate = await visitor.Http.PostAsJsonAsync($"/api/narrations/{narration}/translations", new { languages = new[] { "fr" } });
                Assert.Equal(HttpStatusCode.Accepted, translate.StatusCode);
                await translating.Task.WaitAsync(TimeSpan.FromSeconds(120));
                // Kill only once a checkpoint has the streamed French on disk (what the visitor saw is what survives).
                await WaitForStoredTextAsync(Path.Combine(data, "narrator.db"), narration, string.Concat(french),
                    "SELECT text FROM narration_translations WHERE narration_id = $id AND language = 'fr'");
                await first.KillAsync();
            }

            await using var second = await ServerProcess.StartAsync(data, settings);
            using var again = visitor.On(second.BaseAddress);
            visitor.Dispose();

            var record = await again.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{narration}", NarratorServer.Json);
            using var json = JsonDocument.Parse(await again.Http.GetStringAsync($"/api/narrations/{narration}/export?format=json"));
            var found = await again.Http.GetFromJsonAsync<Narrator.Web.Api.SearchResponse>("/api/search?q=pluvieuse", NarratorServer.Json);
            using var retry = await again.Http.PostAsJsonAsync($"/api/narrations/{narration}/translations", new { languages = new[] { "fr" } });
            var retried = (await retry.Content.ReadFromJsonAsync<Narrator.Web.Api.TranslationAccepted>(NarratorServer.Json))!;
            var retryEvents = await SseReader.ReadAllAsync(again.Http, retried.EventsUrl);
            var afterRetry = await again.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{narration}", NarratorServer.Json);

            Assert.Equal(NarrationState.Completed, record!.State);
            Assert.Equal(string.Concat(Pieces), record.Text);
            var translation = record.Translations!["fr"];
            Assert.Equal(NarrationState.Interrupted, translation.State);
            Assert.Equal(NarrationHistory.TranslationInterrupted, translation.Error);
            Assert.Equal(string.Concat(french), translation.Text);
            // Exports carry completed translations only; the partial one is read from the record, which says it was interrupted.
            Assert.False(json.RootElement.TryGetProperty("translations", out _));
            // Marked interrupted at the restart, its partial text is searchable like any ended translation.
            Assert.Contains(found!.Hits, hit => hit.NarrationId == narration && hit.Kind == "translation" && hit.Language == "fr");
            Assert.Equal("completed", retryEvents[^1].Name);
            Assert.Equal((NarrationState.Completed, string.Concat(french), (string?)null),
                (afterRetry!.Translations!["fr"].State, afterRetry.Translations["fr"].Text, afterRetry.Translations["fr"].Error));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task WaitForStoredTextAsync(string database, string id, string text,
        string query = "SELECT text FROM narrations WHERE id = $id")
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
            {
                await connection.OpenAsync(timeout.Token);
                await using var command = connection.CreateCommand();
                command.CommandText = query;
                command.Parameters.AddWithValue("$id", id);
                if (await command.ExecuteScalarAsync(timeout.Token) as string == text)
                {
                    return;
                }
            }
            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>Streams <paramref name="pieces"/>, signals, then holds the response open until the server that asked dies.</summary>
    private static async Task StreamThenHoldAsync(HttpContext context, IEnumerable<string> pieces, TaskCompletionSource streamed)
    {
        await ScriptedOpenAiServer.BeginStreamAsync(context);
        await ScriptedOpenAiServer.SendChunkAsync(context, new { role = "assistant", content = "" }, null);
        foreach (string piece in pieces)
        {
            await ScriptedOpenAiServer.SendChunkAsync(context, new { content = piece }, null);
        }
        streamed.TrySetResult();
        await Task.Delay(Timeout.Infinite, context.RequestAborted);
    }

    /// <summary>A server narrating through the scripted remote engine, one request at a time, checkpointing every 0.2 s.</summary>
    private static Dictionary<string, string> RemoteEngineSettings(Uri endpoint) => new()
    {
        ["Narrator:Engine"] = "openai",
        ["Narrator:OpenAI:Endpoint"] = endpoint.ToString(),
        ["Narrator:OpenAI:Model"] = "narrator",
        ["Narrator:OpenAI:MaxConcurrency"] = "1",
        ["Narrator:History:CheckpointSeconds"] = "0.2",
    };
}
