using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// Deleting a narration against publishing a share of it or queueing a translation of it, each held at the instant between
/// its check and its write (the app's lock seam) while the other runs: whichever gets in first, no share row or folder and
/// no translation of a deleted narration is left, a change that comes second to a delete answers as for an unknown id,
/// a delete that comes second to a queued translation is refused (409) instead of orphaning it, and the history write of
/// a cancel never brings back a narration deleted in between.
/// </summary>
public sealed class DeleteRaceTests
{
    private static readonly Dictionary<string, string?> Settings = new() { ["Narrator:Queue:PerOwnerLimit"] = "4" };

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>Holds the first <paramref name="change"/> that reaches its checked point until <see cref="Release"/>.</summary>
    private sealed class Hold
    {
        private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int taken;

        public Hold(NarrationLocks locks, NarrationChange change) =>
            locks.Checked = async (at, _) =>
            {
                if (at == change && Interlocked.Exchange(ref taken, 1) == 0)
                {
                    reached.TrySetResult();
                    await released.Task;
                }
            };

        public Task Reached => reached.Task.WaitAsync(Wait);

        public void Release() => released.TrySetResult();
    }

    private static async Task<(NarratorServer Server, TestVisitor Owner, string Id)> CompletedNarrationAsync(ScriptedChatClient engine)
    {
        var server = new NarratorServer(Settings, engine);
        var owner = server.Visitor();
        var clip = await NarratorServer.UploadClipAsync(owner.Http, await TestClips.Mp4Async());
        string id = await VisitorOwnershipTests.StartAsync(owner, clip.Id, "Describe the hangar.");
        Assert.Equal(NarrationState.Completed, (await VisitorOwnershipTests.WaitEndedAsync(owner, id)).State);
        return (server, owner, id);
    }

    /// <summary>
    /// Lets <paramref name="second"/> run against the held change until it either ends or queues up behind the narration's
    /// lock, then releases the held change; both answers follow.
    /// </summary>
    private static async Task<(HttpResponseMessage Held, HttpResponseMessage Second)> InterleaveAsync(NarratorServer server, string id, Hold hold,
        Task<HttpResponseMessage> held, Func<Task<HttpResponseMessage>> second)
    {
        await hold.Reached;
        var locks = server.Services.GetRequiredService<NarrationLocks>();
        var secondTask = second();
        await VisitorOwnershipTests.WaitForAsync(async () =>
        {
            await Task.Yield();
            return secondTask.IsCompleted || locks.Waiting(id) > 0 ? "queued up or done" : null;
        });
        hold.Release();
        return (await held.WaitAsync(Wait), await secondTask.WaitAsync(Wait));
    }

    private static Task<HttpResponseMessage> DeleteAsync(TestVisitor visitor, string id) =>
        visitor.Http.DeleteAsync($"/api/narrations/{id}/record");

    private static Task<HttpResponseMessage> ShareAsync(TestVisitor visitor, string id) =>
        visitor.Http.PostAsync($"/api/narrations/{id}/share", null);

    private static Task<HttpResponseMessage> TranslateAsync(TestVisitor visitor, string id) =>
        visitor.Http.PostAsJsonAsync($"/api/narrations/{id}/translations", new { languages = new[] { "fr" } });

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProblemDetails>(NarratorServer.Json))!.Extensions["code"]?.ToString();

    private static string[] ShareFolders(NarratorServer server)
    {
        string shares = Path.Combine(server.DataPath, "shares");
        return Directory.Exists(shares) ? Directory.GetDirectories(shares) : [];
    }

    [Fact]
    public async Task A_share_published_between_its_check_and_its_row_while_a_delete_comes_in_is_deleted_with_the_narration()
    {
        var (server, owner, id) = await CompletedNarrationAsync(new ScriptedChatClient(tokens: 3));
        await using var _ = server;
        using var __ = owner;
        var hold = new Hold(server.Services.GetRequiredService<NarrationLocks>(), NarrationChange.Share);

        var (shared, deleted) = await InterleaveAsync(server, id, hold, ShareAsync(owner, id), () => DeleteAsync(owner, id));
        string token = (await shared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        using var link = await owner.Http.GetAsync($"/api/shares/{token}");

        Assert.Equal(HttpStatusCode.Created, shared.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(0, await DeleteNarrationTests.RowsAsync(server, "shares", "narration_id", id));
        Assert.Empty(ShareFolders(server));
        Assert.Equal(HttpStatusCode.NotFound, link.StatusCode);
    }

    [Fact]
    public async Task A_share_asked_for_while_the_narration_is_being_deleted_is_refused_as_for_an_unknown_id_and_leaves_nothing()
    {
        var (server, owner, id) = await CompletedNarrationAsync(new ScriptedChatClient(tokens: 3));
        await using var _ = server;
        using var __ = owner;
        var hold = new Hold(server.Services.GetRequiredService<NarrationLocks>(), NarrationChange.Delete);

        var (deleted, shared) = await InterleaveAsync(server, id, hold, DeleteAsync(owner, id), () => ShareAsync(owner, id));
        using var unknown = await ShareAsync(owner, "000000000000000000000000");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, shared.StatusCode);
        Assert.Equal(await CodeAsync(unknown), await CodeAsync(shared));
        Assert.Equal(0, await DeleteNarrationTests.RowsAsync(server, "shares", "narration_id", id));
        Assert.Empty(ShareFolders(server));
    }

    [Fact]
    public async Task A_translation_queued_between_its_check_and_the_queue_while_a_delete_comes_in_makes_the_delete_409_and_runs_to_its_end()
    {
        var (server, owner, id) = await CompletedNarrationAsync(new ScriptedChatClient(tokens: 3));
        await using var _ = server;
        using var __ = owner;
        var hold = new Hold(server.Services.GetRequiredService<NarrationLocks>(), NarrationChange.Translate);

        var (translated, deleted) = await InterleaveAsync(server, id, hold, TranslateAsync(owner, id), () => DeleteAsync(owner, id));
        var french = await VisitorOwnershipTests.WaitForAsync(async () =>
            await owner.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json) is { Translations: { } t }
            && t.TryGetValue("fr", out var fr) && fr.State == NarrationState.Completed ? fr : null);

        Assert.Equal(HttpStatusCode.Accepted, translated.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, deleted.StatusCode);
        Assert.Equal("still_running", await CodeAsync(deleted));
        Assert.False(string.IsNullOrEmpty(french.Text));
    }

    [Fact]
    public async Task A_translation_asked_for_while_the_narration_is_being_deleted_is_refused_as_for_an_unknown_id_and_nothing_is_queued_or_stored()
    {
        var (server, owner, id) = await CompletedNarrationAsync(new ScriptedChatClient(tokens: 3));
        await using var _ = server;
        using var __ = owner;
        var hold = new Hold(server.Services.GetRequiredService<NarrationLocks>(), NarrationChange.Delete);

        var (deleted, translated) = await InterleaveAsync(server, id, hold, DeleteAsync(owner, id), () => TranslateAsync(owner, id));
        using var unknown = await TranslateAsync(owner, "000000000000000000000000");
        var queue = server.Services.GetRequiredService<NarrationService>().QueueSnapshot();

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, translated.StatusCode);
        Assert.Equal(await CodeAsync(unknown), await CodeAsync(translated));
        Assert.Equal((0, 0), (queue.Waiting, queue.Running));
        Assert.Equal(0, await DeleteNarrationTests.RowsAsync(server, "narration_translations", "narration_id", id));
        Assert.Equal(0, await DeleteNarrationTests.RowsAsync(server, "search_documents", "narration_id", id));
    }

    [Fact]
    public async Task A_queued_narration_deleted_between_its_cancel_and_the_history_write_of_that_cancel_is_not_written_back()
    {
        var engine = new ScriptedChatClient(tokens: 3, gated: true);
        await using var server = new NarratorServer(Settings, engine);
        using var owner = server.Visitor();
        var clip = await NarratorServer.UploadClipAsync(owner.Http, await TestClips.Mp4Async());
        string busy = await VisitorOwnershipTests.StartAsync(owner, clip.Id, "Holds the engine.");
        await engine.FirstTokenRequested.Task.WaitAsync(Wait);
        string queued = await VisitorOwnershipTests.StartAsync(owner, clip.Id, "Waits behind it.");
        var hold = new Hold(server.Services.GetRequiredService<NarrationLocks>(), NarrationChange.Cancel);

        var (cancelled, deleted) = await InterleaveAsync(server, queued, hold, owner.Http.DeleteAsync($"/api/narrations/{queued}"),
            () => DeleteAsync(owner, queued));
        using var read = await owner.Http.GetAsync($"/api/narrations/{queued}");
        var listed = await VisitorOwnershipTests.ListAsync(owner);

        Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.DoesNotContain(listed, record => record.Id == queued);
        Assert.Equal(0, await DeleteNarrationTests.RowsAsync(server, "narrations", "id", queued));
        Assert.Equal(1, await DeleteNarrationTests.RowsAsync(server, "narrations", "id", busy));
    }
}
