using System.Net;
using System.Net.Http.Json;
using Narrator.Web.Api;
using Narrator.Web.Narrations;
using Narrator.Web.Services.History;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// A translation is in the history from the moment it is queued: its languages read "queued" while it waits, a server
/// that stops before they start leaves them for the restart to read as interrupted (never started: ask again), and a
/// request that ends without starting a language (cancelled while queued, or refused after an earlier language) leaves
/// nothing of that language behind.
/// </summary>
public sealed class QueuedTranslationTests
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Narrator:Queue:PerOwnerLimit"] = "4" };

    private static Task<HttpResponseMessage> TranslateAsync(TestVisitor visitor, string id, params string[] languages) =>
        visitor.Http.PostAsJsonAsync($"/api/narrations/{id}/translations", new { languages });

    private static async Task<NarrationRecord> ReadAsync(TestVisitor visitor, string id) =>
        (await visitor.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json))!;

    /// <summary>A completed narration, then another one the gated engine holds running, so what is asked for next waits in the queue.</summary>
    private static async Task<string> CompletedWithTheEngineBusyAsync(TestVisitor owner, ScriptedChatClient engine)
    {
        var clip = await NarratorServer.UploadClipAsync(owner.Http, await TestClips.Mp4Async());
        string id = await VisitorOwnershipTests.StartAsync(owner, clip.Id, "Describe the hangar.");
        engine.Step(3);
        Assert.Equal(NarrationState.Completed, (await VisitorOwnershipTests.WaitEndedAsync(owner, id)).State);
        string busy = await VisitorOwnershipTests.StartAsync(owner, clip.Id, "Holds the engine.");
        await VisitorOwnershipTests.WaitForAsync(async () => (await ReadAsync(owner, busy)).State == NarrationState.Running ? "running" : null);
        return id;
    }

    [Fact]
    public async Task A_translation_still_queued_when_the_server_stops_reads_interrupted_after_a_restart_saying_it_never_started_and_can_be_asked_again()
    {
        string data = Path.Combine(Path.GetTempPath(), "narrator-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            string id;
            TestVisitor owner;
            NarrationRecord whileQueued;
            var engine = new ScriptedChatClient(tokens: 3, gated: true);
            await using (var before = new NarratorServer(Settings, engine, dataPath: data))
            {
                owner = before.Visitor();
                id = await CompletedWithTheEngineBusyAsync(owner, engine);
                using var translate = await TranslateAsync(owner, id, "fr", "es");
                Assert.Equal(HttpStatusCode.Accepted, translate.StatusCode);
                whileQueued = await ReadAsync(owner, id);
            }
            await using var after = new NarratorServer(Settings, new ScriptedChatClient(tokens: 3), dataPath: data);
            using var again = owner.On(after.BaseAddress);
            owner.Dispose();

            var afterRestart = await ReadAsync(again, id);
            using var retry = await TranslateAsync(again, id, "fr");
            var retried = (await retry.Content.ReadFromJsonAsync<TranslationAccepted>(NarratorServer.Json))!;
            var retryEvents = await SseReader.ReadAllAsync(again.Http, retried.EventsUrl);
            var afterRetry = await ReadAsync(again, id);

            Assert.Equal(["es", "fr"], whileQueued.Translations!.Keys.Order());
            Assert.All(whileQueued.Translations.Values, t => Assert.Equal((NarrationState.Queued, ""), (t.State, t.Text)));
            Assert.Equal(["es", "fr"], afterRestart.Translations!.Keys.Order());
            Assert.All(afterRestart.Translations.Values, t =>
                Assert.Equal((NarrationState.Interrupted, "", NarrationHistory.TranslationNeverStarted), (t.State, t.Text, t.Error)));
            Assert.Equal("completed", retryEvents[^1].Name);
            Assert.Equal(NarrationState.Completed, afterRetry.Translations!["fr"].State);
            Assert.Equal(NarrationState.Interrupted, afterRetry.Translations["es"].State);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_translation_cancelled_while_queued_leaves_no_record_of_it_at_once()
    {
        var engine = new ScriptedChatClient(tokens: 3, gated: true);
        await using var server = new NarratorServer(Settings, engine);
        using var owner = server.Visitor();
        string id = await CompletedWithTheEngineBusyAsync(owner, engine);
        using var translate = await TranslateAsync(owner, id, "fr");
        var accepted = (await translate.Content.ReadFromJsonAsync<TranslationAccepted>(NarratorServer.Json))!;
        var whileQueued = await ReadAsync(owner, id);

        using var cancelled = await owner.Http.DeleteAsync($"/api/narrations/{accepted.Id}");
        var afterCancel = await ReadAsync(owner, id);

        Assert.Equal(NarrationState.Queued, whileQueued.Translations!["fr"].State);
        Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);
        Assert.Null(afterCancel.Translations);
        Assert.Equal(0, await DeleteNarrationTests.RowsAsync(server, "narration_translations", "narration_id", id));
    }

    [Fact]
    public async Task Cancelling_one_of_two_queued_requests_for_the_same_language_keeps_the_language_queued_for_the_other()
    {
        var engine = new ScriptedChatClient(tokens: 3, gated: true);
        await using var server = new NarratorServer(Settings, engine);
        using var owner = server.Visitor();
        string id = await CompletedWithTheEngineBusyAsync(owner, engine);
        using var first = await TranslateAsync(owner, id, "fr");
        using var second = await TranslateAsync(owner, id, "fr");
        var behind = (await second.Content.ReadFromJsonAsync<TranslationAccepted>(NarratorServer.Json))!;

        using var cancelled = await owner.Http.DeleteAsync($"/api/narrations/{behind.Id}");
        var afterCancel = await ReadAsync(owner, id);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.NoContent), (first.StatusCode, cancelled.StatusCode));
        Assert.Equal(NarrationState.Queued, afterCancel.Translations!["fr"].State);
    }

    [Fact]
    public async Task A_translation_refused_in_its_first_language_keeps_that_refusal_and_leaves_nothing_of_the_language_it_never_started()
    {
        var engine = new ScriptedChatClient(tokens: 3);
        await using var server = new NarratorServer(Settings, engine);
        using var owner = server.Visitor();
        var clip = await NarratorServer.UploadClipAsync(owner.Http, await TestClips.Mp4Async());
        string id = await VisitorOwnershipTests.StartAsync(owner, clip.Id, "Describe the hangar.");
        await VisitorOwnershipTests.WaitEndedAsync(owner, id);
        engine.Failure = new Narrator.Model.UserInputException("The text is too long for the model to translate.");

        using var translate = await TranslateAsync(owner, id, "fr", "es");
        var accepted = (await translate.Content.ReadFromJsonAsync<TranslationAccepted>(NarratorServer.Json))!;
        var events = await SseReader.ReadAllAsync(owner.Http, accepted.EventsUrl);
        var record = await ReadAsync(owner, id);

        Assert.Equal("failed", events[^1].Name);
        var french = Assert.Single(record.Translations!).Value;
        Assert.Equal(("fr", NarrationState.Failed, "The text is too long for the model to translate."), (french.Language, french.State, french.Error));
        Assert.Equal(1, await DeleteNarrationTests.RowsAsync(server, "narration_translations", "narration_id", id));
    }
}
