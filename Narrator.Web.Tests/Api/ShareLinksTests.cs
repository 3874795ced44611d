using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Narrator.Web.Localization;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// Share links: nothing is shared until its owner publishes one finished narration; then anyone with the link (no cookie
/// needed) reads a read-only page with its frames, prompt, settings, text and downloads, without the ids behind it; only
/// the owner publishes or revokes, and a revoked link answers 404 everywhere.
/// </summary>
public sealed class ShareLinksTests
{
    [Fact]
    public async Task Only_the_owner_publishes_anyone_with_the_link_reads_it_and_after_revoking_it_answers_404()
    {
        await using var server = new NarratorServer(engine: new ScriptedChatClient(tokens: 3));
        using var owner = server.Visitor("127.0.0.1");
        using var stranger = server.Visitor("127.0.0.2");
        using var anonymous = server.Http();
        var clip = await NarratorServer.UploadClipAsync(owner.Http, await TestClips.Mp4Async());
        string id = await VisitorOwnershipTests.StartAsync(owner, clip.Id, "Shared narration");
        var finished = await VisitorOwnershipTests.WaitEndedAsync(owner, id);
        string sharesFolder = Path.Combine(server.DataPath, "shares");
        bool sharedBeforePublishing = Directory.Exists(sharesFolder) && Directory.EnumerateFileSystemEntries(sharesFolder).Any();

        using var byStranger = await stranger.Http.PostAsync($"/api/narrations/{id}/share", null);
        using var revokeByStranger = await stranger.Http.DeleteAsync($"/api/narrations/{id}/share");
        using var published = await owner.Http.PostAsync($"/api/narrations/{id}/share", null);
        var link = await published.Content.ReadFromJsonAsync<JsonElement>();
        string token = link.GetProperty("token").GetString()!;
        using var again = await owner.Http.PostAsync($"/api/narrations/{id}/share", null);
        using var read = await anonymous.GetAsync($"/api/shares/{token}");
        var shared = await read.Content.ReadFromJsonAsync<JsonElement>();
        using var frame = await anonymous.GetAsync($"/api/shares/{token}/frames/0");
        using var srt = await anonymous.GetAsync($"/api/shares/{token}/export?format=txt");
        using var page = await anonymous.GetAsync($"/share/{token}");
        string pageHtml = await page.Content.ReadAsStringAsync();

        Assert.False(sharedBeforePublishing, "Something was shared before the owner published it.");
        Assert.Equal(HttpStatusCode.Forbidden, byStranger.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, revokeByStranger.StatusCode);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        Assert.Matches("^[0-9a-f]{32}$", token);
        Assert.Equal($"/share/{token}", link.GetProperty("url").GetString());
        Assert.Equal(token, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var narration = shared.GetProperty("narration");
        Assert.Equal(finished.Text, narration.GetProperty("text").GetString());
        Assert.Equal("Shared narration", narration.GetProperty("prompt").GetString());
        // The link is the only capability handed out: neither the narration's id nor the clip's (the upload itself) is in it.
        Assert.DoesNotContain(id, shared.GetRawText());
        Assert.DoesNotContain(clip.Id, shared.GetRawText());
        Assert.Equal(clip.Frames.Count, shared.GetProperty("frames").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, frame.StatusCode);
        Assert.Equal("image/jpeg", frame.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, srt.StatusCode);
        Assert.Contains(finished.Text.Trim(), await srt.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-testid=\"shared-page\"", pageHtml);
        Assert.Contains(WebUtility.HtmlEncode(finished.Text.Trim()), pageHtml);

        using var revoked = await owner.Http.DeleteAsync($"/api/narrations/{id}/share");
        using var readAfter = await anonymous.GetAsync($"/api/shares/{token}");
        using var frameAfter = await anonymous.GetAsync($"/api/shares/{token}/frames/0");
        using var exportAfter = await anonymous.GetAsync($"/api/shares/{token}/export");
        using var pageAfter = await anonymous.GetAsync($"/share/{token}");
        using var revokedAgain = await owner.Http.DeleteAsync($"/api/narrations/{id}/share");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, readAfter.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, frameAfter.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, exportAfter.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, pageAfter.StatusCode);
        // The share page's own sentence, not the generic not-found page: the visitor learns the link was withdrawn.
        string pageAfterHtml = await pageAfter.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"share-missing\"", pageAfterHtml);
        Assert.Contains(WebUtility.HtmlEncode(UiText.English.ShareMissing), pageAfterHtml);
        Assert.Equal(HttpStatusCode.NotFound, revokedAgain.StatusCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(sharesFolder));
    }

    [Fact]
    public async Task A_narration_that_did_not_finish_or_does_not_exist_cannot_be_shared_and_says_why()
    {
        var engine = new ScriptedChatClient(tokens: 50, gated: true);
        await using var server = new NarratorServer(engine: engine);
        using var owner = server.Visitor();
        var clip = await NarratorServer.UploadClipAsync(owner.Http, await TestClips.Mp4Async());
        string id = await VisitorOwnershipTests.StartAsync(owner, clip.Id, "Stopped early");
        await engine.FirstTokenRequested.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var whileRunning = await owner.Http.PostAsync($"/api/narrations/{id}/share", null);
        using var cancel = await owner.Http.DeleteAsync($"/api/narrations/{id}");
        await VisitorOwnershipTests.WaitEndedAsync(owner, id);

        using var stopped = await owner.Http.PostAsync($"/api/narrations/{id}/share", null);
        using var unknown = await owner.Http.PostAsync("/api/narrations/no-such-narration/share", null);
        using var madeUp = await owner.Http.GetAsync($"/api/shares/{new string('a', 32)}");
        using var notAToken = await owner.Http.GetAsync("/share/..%2F..%2Fnarrator.db");

        foreach (var refused in new[] { whileRunning, stopped })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("not_finished", problem.GetProperty("code").GetString());
            Assert.Contains("Only a completed narration can be shared", problem.GetProperty("detail").GetString());
        }
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, madeUp.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notAToken.StatusCode);
    }
}
