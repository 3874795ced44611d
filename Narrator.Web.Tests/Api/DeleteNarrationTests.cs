using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Web.Api;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.History;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// DELETE /api/narrations/{id}/record: a visitor removes what they made, the operator anything. Afterwards the record, its
/// translations, search rows, share link (and its copied frames), the queue's kept copy and a copy held back by a full
/// disk are all gone, and every read answers as for an unknown id; a live one, another visitor's and an unknown id are refused.
/// </summary>
public sealed class DeleteNarrationTests
{
    private const string AdminKey = "an-admin-key-long-enough-5678";

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Narrator:Admin:ApiKey"] = AdminKey,
        ["Narrator:Queue:PerOwnerLimit"] = "4",
    };

    private static object Body(string clipId, string prompt, string[]? translate = null) =>
        new { clipId, prompt, translate, subtitles = "off", nFrames = 2, minPixels = 3136, maxPixels = 3136, maxNewTokens = 3 };

    private static async Task<string> StartAsync(TestVisitor visitor, object body)
    {
        using var response = await visitor.Http.PostAsJsonAsync("/api/narrations", body);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<NarrationAccepted>(NarratorServer.Json))!.Id;
    }

    private static async Task<HttpResponseMessage> DeleteAsync(TestVisitor visitor, string id, string? adminKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/narrations/{id}/record");
        if (adminKey is not null)
        {
            request.Headers.Add(AdminAccess.HeaderName, adminKey);
        }
        return await visitor.Http.SendAsync(request);
    }

    private static async Task<ProblemDetails> ProblemAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProblemDetails>(NarratorServer.Json))!;

    /// <summary>How many rows of <paramref name="table"/> name <paramref name="id"/> in <paramref name="column"/>.</summary>
    internal static async Task<long> RowsAsync(NarratorServer server, string table, string column, string id)
    {
        await using var connection = await server.Services.GetRequiredService<NarratorDatabase>().OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE {column} = $id";
        command.Parameters.AddWithValue("$id", id);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_owner_deletes_a_shared_translated_narration_and_every_read_path_then_answers_as_for_an_unknown_id()
    {
        await using var server = new NarratorServer(Settings, new ScriptedChatClient(tokens: 3));
        using var owner = server.Visitor("127.0.0.1");
        using var anonymous = server.Visitor("127.0.0.3");
        var clip = await NarratorServer.UploadClipAsync(owner.Http, await TestClips.Mp4Async());
        string id = await StartAsync(owner, Body(clip.Id, "Zeppelinhangar at noon.", translate: ["fr"]));
        string kept = await StartAsync(owner, Body(clip.Id, "Zeppelinhangar kept."));
        var translated = await VisitorOwnershipTests.WaitForAsync(async () =>
            await owner.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json) is { Translations: { } t } record
            && t.TryGetValue("fr", out var fr) && fr.State == NarrationState.Completed ? record : null);
        await VisitorOwnershipTests.WaitEndedAsync(owner, kept);
        using var published = await owner.Http.PostAsync($"/api/narrations/{id}/share", null);
        string token = (await published.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        string shareFolder = Path.Combine(server.DataPath, "shares", token);
        var searchBefore = (await owner.Http.GetFromJsonAsync<SearchResponse>("/api/search?q=zeppelinhangar", NarratorServer.Json))!;
        // The queue still keeps both finished requests for late readers; the completed event names the translation's.
        string translationId = (await SseReader.ReadAllAsync(owner.Http, $"/api/narrations/{id}/events"))[^1].Data.GetProperty("translationId").GetString()!;
        using var translationBefore = await owner.Http.GetAsync($"/api/narrations/{translationId}");

        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        Assert.Equal(HttpStatusCode.OK, translationBefore.StatusCode);
        Assert.True(Directory.Exists(shareFolder));
        Assert.Contains(searchBefore.Hits, hit => hit.NarrationId == id && hit.Language is null);
        Assert.Contains(searchBefore.Hits, hit => hit.NarrationId == id && hit.Language == "fr");
        Assert.Equal("fr", Assert.Single(translated.Translations!).Key);

        using var deleted = await DeleteAsync(owner, id);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var read = await owner.Http.GetAsync($"/api/narrations/{id}");
        using var events = await owner.Http.GetAsync($"/api/narrations/{id}/events");
        using var export = await owner.Http.GetAsync($"/api/narrations/{id}/export?format=txt");
        using var exportFrench = await owner.Http.GetAsync($"/api/narrations/{id}/export?format=txt&lang=fr");
        using var translate = await owner.Http.PostAsJsonAsync($"/api/narrations/{id}/translations", new { languages = new[] { "es" } });
        using var shared = await anonymous.Http.GetAsync($"/api/shares/{token}");
        using var sharePage = await anonymous.Http.GetAsync($"/share/{token}");
        using var translationRequest = await owner.Http.GetAsync($"/api/narrations/{translationId}");
        using var translationEvents = await owner.Http.GetAsync($"/api/narrations/{translationId}/events");
        using var again = await DeleteAsync(owner, id);
        var listed = await VisitorOwnershipTests.ListAsync(owner);
        var searchAfter = (await owner.Http.GetFromJsonAsync<SearchResponse>("/api/search?q=zeppelinhangar", NarratorServer.Json))!;

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal("narration_not_found", (await ProblemAsync(read)).Extensions["code"]?.ToString());
        Assert.Equal(HttpStatusCode.NotFound, events.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, export.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, exportFrench.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, translate.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, shared.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, sharePage.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.False(Directory.Exists(shareFolder), "The share's copied frames outlived the narration.");
        Assert.DoesNotContain(listed, r => r.Id == id);
        Assert.Contains(listed, r => r.Id == kept);
        // The other narration with the same word is still found: only the deleted one's rows went.
        Assert.Equal([kept], searchAfter.Hits.Select(hit => hit.NarrationId).Distinct());
        Assert.Equal(0, await RowsAsync(server, "narrations", "id", id));
        Assert.Equal(0, await RowsAsync(server, "narration_translations", "narration_id", id));
        Assert.Equal(0, await RowsAsync(server, "search_documents", "narration_id", id));
        Assert.Equal(0, await RowsAsync(server, "shares", "narration_id", id));
        Assert.Equal(HttpStatusCode.NotFound, translationRequest.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, translationEvents.StatusCode);
    }

    [Fact]
    public async Task Another_visitor_gets_403_not_owner_a_wrong_key_too_and_the_admin_key_deletes_anyone_s()
    {
        await using var server = new NarratorServer(Settings, new ScriptedChatClient(tokens: 2));
        using var owner = server.Visitor("127.0.0.1");
        using var stranger = server.Visitor("127.0.0.2");
        using var operatorClient = server.Visitor("127.0.0.3");
        var clip = await NarratorServer.UploadClipAsync(owner.Http, await TestClips.Mp4Async());
        string id = await StartAsync(owner, Body(clip.Id, "Somebody else's."));
        await VisitorOwnershipTests.WaitEndedAsync(owner, id);

        using var byStranger = await DeleteAsync(stranger, id);
        using var wrongKey = await DeleteAsync(stranger, id, AdminKey + "x");
        using var stillThere = await owner.Http.GetAsync($"/api/narrations/{id}");
        using var unknown = await DeleteAsync(owner, "000000000000000000000000");
        using var byOperator = await DeleteAsync(operatorClient, id, AdminKey);
        using var gone = await owner.Http.GetAsync($"/api/narrations/{id}");

        Assert.Equal(HttpStatusCode.Forbidden, byStranger.StatusCode);
        var problem = await ProblemAsync(byStranger);
        Assert.Equal(ApiProblems.NotOwnerCode, problem.Extensions["code"]?.ToString());
        Assert.Equal($"Narration \"{id}\" was made by another visitor; only they can delete it.", problem.Detail);
        Assert.Equal(HttpStatusCode.Forbidden, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, byOperator.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Empty(await VisitorOwnershipTests.ListAsync(operatorClient, AdminKey));
    }

    [Fact]
    public async Task A_narration_still_running_or_being_translated_is_409_still_running_and_deletable_once_it_has_ended()
    {
        var engine = new ScriptedChatClient(tokens: 3, gated: true);
        await using var server = new NarratorServer(Settings, engine);
        using var owner = server.Visitor();
        var clip = await NarratorServer.UploadClipAsync(owner.Http, await TestClips.Mp4Async());
        string id = await StartAsync(owner, Body(clip.Id, "Still going."));
        await engine.FirstTokenRequested.Task.WaitAsync(TimeSpan.FromSeconds(60));

        using var whileRunning = await DeleteAsync(owner, id);
        engine.Step(3);
        await VisitorOwnershipTests.WaitEndedAsync(owner, id);
        using var translate = await owner.Http.PostAsJsonAsync($"/api/narrations/{id}/translations", new { languages = new[] { "fr" } });
        using var whileTranslating = await DeleteAsync(owner, id);
        var stillThere = await owner.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json);
        engine.Step(3);
        await VisitorOwnershipTests.WaitForAsync(async () =>
            await owner.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json) is { Translations: { } t }
            && t.TryGetValue("fr", out var fr) && fr.State == NarrationState.Completed ? fr : null);
        using var afterwards = await DeleteAsync(owner, id);

        Assert.Equal(HttpStatusCode.Conflict, whileRunning.StatusCode);
        var problem = await ProblemAsync(whileRunning);
        Assert.Equal("still_running", problem.Extensions["code"]?.ToString());
        Assert.Contains("stop it first", problem.Detail);
        Assert.Equal(HttpStatusCode.Accepted, translate.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, whileTranslating.StatusCode);
        Assert.Equal(NarrationState.Completed, stillThere!.State);
        Assert.Equal(HttpStatusCode.NoContent, afterwards.StatusCode);
    }

    [Fact]
    public async Task A_narration_held_back_by_a_full_disk_is_deleted_without_writing_and_never_reaches_the_history_afterwards()
    {
        var disk = new FullDisk();
        var settings = new Dictionary<string, string?>(Settings)
        {
            ["Narrator:History:CheckpointSeconds"] = "0.1",
            ["Narrator:History:MaxRetrySeconds"] = "1",
        };
        await using var server = new NarratorServer(settings, new ScriptedChatClient(tokens: 3), configure: services => services.AddSingleton<IStorageFaults>(disk));
        using var owner = server.Visitor();
        var clip = await NarratorServer.UploadClipAsync(owner.Http, await TestClips.Mp4Async());
        var history = server.Services.GetRequiredService<NarrationHistory>();
        var journal = server.Services.GetRequiredService<NarrationJournal>();
        disk.Full = true;
        string id = await StartAsync(owner, Body(clip.Id, "Held in memory."));
        await VisitorOwnershipTests.WaitEndedAsync(owner, id);
        int heldBefore = journal.Pending;

        using var deleted = await DeleteAsync(owner, id);
        disk.Full = false;
        // A later narration is written once the disk has room: by then the deleted one would have been written too.
        string next = await StartAsync(owner, Body(clip.Id, "Written later."));
        await VisitorOwnershipTests.WaitEndedAsync(owner, next);
        await VisitorOwnershipTests.WaitForAsync(() => history.GetAsync(next, CancellationToken.None));
        await VisitorOwnershipTests.WaitForAsync(async () => { await Task.Yield(); return journal.Pending == 0 ? "written" : null; });
        using var read = await owner.Http.GetAsync($"/api/narrations/{id}");

        Assert.Equal(1, heldBefore);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Null(await history.GetAsync(id, CancellationToken.None));
        Assert.DoesNotContain(await VisitorOwnershipTests.ListAsync(owner), r => r.Id == id);
    }

    [Fact]
    public async Task A_stored_narration_on_a_full_disk_is_a_507_that_deletes_nothing_and_deletes_once_there_is_room()
    {
        var disk = new FullDisk();
        await using var server = new NarratorServer(Settings, new ScriptedChatClient(tokens: 2), configure: services => services.AddSingleton<IStorageFaults>(disk));
        using var owner = server.Visitor();
        var clip = await NarratorServer.UploadClipAsync(owner.Http, await TestClips.Mp4Async());
        string id = await StartAsync(owner, Body(clip.Id, "Stored before the disk filled."));
        await VisitorOwnershipTests.WaitEndedAsync(owner, id);
        await VisitorOwnershipTests.WaitForAsync(() => server.Services.GetRequiredService<NarrationHistory>().GetAsync(id, CancellationToken.None));

        disk.Full = true;
        using var refused = await DeleteAsync(owner, id);
        using var stillThere = await owner.Http.GetAsync($"/api/narrations/{id}");
        disk.Full = false;
        using var deleted = await DeleteAsync(owner, id);
        using var gone = await owner.Http.GetAsync($"/api/narrations/{id}");

        Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
        var problem = await ProblemAsync(refused);
        Assert.Equal(ApiProblems.StorageFullCode, problem.Extensions["code"]?.ToString());
        Assert.Contains("could not be deleted yet", problem.Detail);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
