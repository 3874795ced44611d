using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.History;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// A full disk (the fault seam refusing database writes as SQLite does) is never a 500 and never loses a narration: a
/// template save is a 507 with a sentence, a narration goes on, stays readable, exportable and listed from memory, and
/// reaches the history once there is room again. A running narration's text is written at a bounded rate.
/// </summary>
public sealed class StorageFullTests
{
    private static Dictionary<string, string?> Settings() => new()
    {
        ["Narrator:Queue:RetainFinishedMinutes"] = "0",
        ["Narrator:History:CheckpointSeconds"] = "0.1",
        ["Narrator:History:MaxRetrySeconds"] = "1",
    };

    [Fact]
    public async Task A_narration_that_ends_while_the_disk_is_full_stays_readable_exportable_and_listed_and_reaches_the_history_once_there_is_room()
    {
        var disk = new FullDisk();
        await using var server = new NarratorServer(Settings(), new ScriptedChatClient(tokens: 4), configure: services => services.AddSingleton<IStorageFaults>(disk));
        using var visitor = server.Visitor();
        var clip = await NarratorServer.UploadClipAsync(visitor.Http, await TestClips.Mp4Async());
        var history = server.Services.GetRequiredService<NarrationHistory>();
        var journal = server.Services.GetRequiredService<NarrationJournal>();

        disk.Full = true;
        string id = await VisitorOwnershipTests.StartAsync(visitor, clip.Id, "while the disk is full");
        var ended = await VisitorOwnershipTests.WaitEndedAsync(visitor, id);
        // The next start drops finished narrations from the queue's memory (RetainFinishedMinutes = 0): only the journal has it now.
        string next = await VisitorOwnershipTests.StartAsync(visitor, clip.Id, "the next one");
        await VisitorOwnershipTests.WaitEndedAsync(visitor, next);
        var read = await visitor.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json);
        using var export = await visitor.Http.GetAsync($"/api/narrations/{id}/export?format=txt");
        var listed = await VisitorOwnershipTests.ListAsync(visitor);
        var storedWhileFull = await history.GetAsync(id, CancellationToken.None);

        Assert.Equal(NarrationState.Completed, ended.State);
        Assert.Equal(ended.Text, read!.Text);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Contains(ended.Text.Trim(), await export.Content.ReadAsStringAsync());
        Assert.Contains(listed, r => r.Id == id && r.State == NarrationState.Completed);
        Assert.Null(storedWhileFull);

        disk.Full = false;
        var stored = await VisitorOwnershipTests.WaitForAsync(() => history.GetAsync(id, CancellationToken.None));
        await VisitorOwnershipTests.WaitForAsync(async () => { await Task.Yield(); return journal.Pending == 0 ? "written" : null; });

        Assert.Equal(NarrationState.Completed, stored.State);
        Assert.Equal(ended.Text, stored.Text);
        Assert.Equal(id, (await VisitorOwnershipTests.ListAsync(visitor)).Single(r => r.Id == id).Id);
    }

    [Fact]
    public async Task Saving_or_deleting_a_template_on_a_full_disk_is_a_507_with_a_sentence_and_changes_nothing()
    {
        var disk = new FullDisk();
        await using var server = new NarratorServer(Settings(), new ScriptedChatClient(), configure: services => services.AddSingleton<IStorageFaults>(disk));
        using var visitor = server.Visitor();
        using var kept = await visitor.Http.PostAsJsonAsync("/api/templates", VisitorOwnershipTests.Template("kept"));

        disk.Full = true;
        using var created = await visitor.Http.PostAsJsonAsync("/api/templates", VisitorOwnershipTests.Template("while-full"));
        using var changed = await visitor.Http.PutAsJsonAsync("/api/templates/kept", VisitorOwnershipTests.Template("kept", "Changed while full."));
        using var deleted = await visitor.Http.DeleteAsync("/api/templates/kept");
        disk.Full = false;
        using var afterwards = await visitor.Http.GetAsync("/api/templates/kept");
        using var missing = await visitor.Http.GetAsync("/api/templates/while-full");

        Assert.Equal(HttpStatusCode.Created, kept.StatusCode);
        foreach (var refused in new[] { created, changed, deleted })
        {
            Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("storage_full", problem.GetProperty("code").GetString());
            Assert.Contains("disk is full", problem.GetProperty("detail").GetString());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        }
        Assert.Equal("Describe the lighting only.", (await afterwards.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("prompt").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_running_narration_s_text_is_in_the_history_while_it_streams_written_at_most_once_per_checkpoint_not_per_token()
    {
        var disk = new FullDisk();
        var engine = new ScriptedChatClient(tokens: 120, gated: true);
        var settings = Settings();
        settings["Narrator:History:CheckpointSeconds"] = "0.5";
        await using var server = new NarratorServer(settings, engine, configure: services => services.AddSingleton<IStorageFaults>(disk));
        using var visitor = server.Visitor();
        var clip = await NarratorServer.UploadClipAsync(visitor.Http, await TestClips.Mp4Async());
        var history = server.Services.GetRequiredService<NarrationHistory>();
        string prompt = "checkpointed";
        string id = await VisitorOwnershipTests.StartAsync(visitor, clip.Id, prompt);
        await engine.FirstTokenRequested.Task.WaitAsync(TimeSpan.FromSeconds(60));
        int writesBefore = disk.Writes;

        engine.Step(5);
        var partial = await VisitorOwnershipTests.WaitForAsync(async () =>
            await history.GetAsync(id, CancellationToken.None) is { State: NarrationState.Running } row && row.Text.Contains(ScriptedChatClient.TokenText(prompt, 4), StringComparison.Ordinal)
                ? row : null);
        for (int i = 5; i < 120; i++)
        {
            engine.Step();
            await Task.Delay(10);
        }
        var ended = await VisitorOwnershipTests.WaitEndedAsync(visitor, id);
        int writes = disk.Writes - writesBefore;

        Assert.StartsWith(ScriptedChatClient.TokenText(prompt, 0), partial.Text);
        Assert.Equal(NarrationState.Completed, ended.State);
        // 120 tokens over well over a second: one write per token would be 120; checkpoints every 0.5 s are a handful.
        Assert.InRange(writes, 2, 30);
    }
}
