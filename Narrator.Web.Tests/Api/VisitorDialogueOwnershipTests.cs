using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Narrator.Web.Api;
using Narrator.Web.Narrations;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// Search, translations and subtitle files belong to the visitor of the cookie, never to a connection or an address: two
/// visitors here have two cookie jars and two client addresses, and B reaches none of A's through the HTTP API.
/// </summary>
public sealed class VisitorDialogueOwnershipTests
{
    private const string AddressA = "127.0.0.1";
    private const string AddressB = "127.0.0.2";

    private static async Task<ProblemDetails> ProblemAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProblemDetails>(NarratorServer.Json))!;

    [Fact]
    public async Task Visitor_B_finds_none_of_A_s_narrations_in_search_and_can_neither_translate_nor_read_A_s_translations()
    {
        // The scripted engine answers with its prompt, so the narration and its French translation both hold "Gwendolyn".
        await using var server = new NarratorServer(engine: new ScriptedChatClient(tokens: 2));
        using var a = server.Visitor(AddressA);
        using var b = server.Visitor(AddressB);
        var clip = await NarratorServer.UploadClipAsync(a.Http, await TestClips.Mp4Async());
        string id = await VisitorOwnershipTests.StartAsync(a, clip.Id, "The lighthouse keeper Gwendolyn climbs the stairs.");
        await VisitorOwnershipTests.WaitEndedAsync(a, id);
        using var translate = await a.Http.PostAsJsonAsync($"/api/narrations/{id}/translations", new { languages = new[] { "fr" } });
        var accepted = (await translate.Content.ReadFromJsonAsync<TranslationAccepted>(NarratorServer.Json))!;
        Assert.Equal("completed", (await SseReader.ReadAllAsync(a.Http, accepted.EventsUrl))[^1].Name);

        var foundByA = (await a.Http.GetFromJsonAsync<SearchResponse>("/api/search?q=Gwendolyn", NarratorServer.Json))!;
        var foundByB = (await b.Http.GetFromJsonAsync<SearchResponse>("/api/search?q=Gwendolyn", NarratorServer.Json))!;
        // The cookie decides, not the address: A from B's address is A, a new visitor from A's address is not.
        using var aElsewhere = new TestVisitor(server.BaseAddress, IPAddress.Parse(AddressB), a.Cookies);
        using var neighbour = server.Visitor(AddressA);
        var foundByAElsewhere = (await aElsewhere.Http.GetFromJsonAsync<SearchResponse>("/api/search?q=Gwendolyn", NarratorServer.Json))!;
        var foundByNeighbour = (await neighbour.Http.GetFromJsonAsync<SearchResponse>("/api/search?q=Gwendolyn", NarratorServer.Json))!;
        using var translatedByB = await b.Http.PostAsJsonAsync($"/api/narrations/{id}/translations", new { languages = new[] { "es" } });
        using var translationReadByB = await b.Http.GetAsync($"/api/narrations/{accepted.Id}");
        using var translationFollowedByB = await b.Http.GetAsync($"/api/narrations/{accepted.Id}/events");
        using var frenchExportedByB = await b.Http.GetAsync($"/api/narrations/{id}/export?format=txt&lang=fr");
        string jsonExportedByB = await b.Http.GetStringAsync($"/api/narrations/{id}/export?format=json");
        var readByB = (await b.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json))!;
        var readByA = (await a.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json))!;
        using var frenchExportedByA = await a.Http.GetAsync($"/api/narrations/{id}/export?format=txt&lang=fr");
        using var translationReadByA = await a.Http.GetAsync($"/api/narrations/{accepted.Id}");

        Assert.Equal(["narration", "translation"], foundByA.Hits.Where(h => h.NarrationId == id).Select(h => h.Kind).Order());
        Assert.Empty(foundByB.Hits);
        Assert.Equal(foundByA.Hits.Select(h => (h.NarrationId, h.Kind)), foundByAElsewhere.Hits.Select(h => (h.NarrationId, h.Kind)));
        Assert.Empty(foundByNeighbour.Hits);
        // Another visitor's narration answers as an unknown one, with the sentence.
        Assert.Equal(HttpStatusCode.NotFound, translatedByB.StatusCode);
        Assert.Equal($"No narration \"{id}\" of yours is stored; only your own narrations can be translated.", (await ProblemAsync(translatedByB)).Detail);
        foreach (var refused in new[] { translationReadByB, translationFollowedByB })
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Equal($"No narration with id \"{accepted.Id}\" is known.", (await ProblemAsync(refused)).Detail);
        }
        Assert.Equal(HttpStatusCode.NotFound, frenchExportedByB.StatusCode);
        Assert.Equal($"Narration \"{id}\" has no translation into \"fr\" that you can read; only the visitor who made a narration sees its translations.",
            (await ProblemAsync(frenchExportedByB)).Detail);
        Assert.DoesNotContain("Translate the text below", jsonExportedByB);
        // The narration itself stays readable by its id (the id is what a visitor shares), without its translations.
        Assert.Equal((readByA.Text, (IReadOnlyDictionary<string, NarrationTranslation>?)null), (readByB.Text, readByB.Translations));
        Assert.StartsWith("Translate the text below into French", readByA.Translations!["fr"].Text);
        Assert.Equal(HttpStatusCode.OK, frenchExportedByA.StatusCode);
        Assert.Equal(HttpStatusCode.OK, translationReadByA.StatusCode);
    }

    [Fact]
    public async Task Visitor_B_can_neither_attach_nor_remove_subtitles_on_A_s_clip_and_A_s_file_stays()
    {
        await using var server = new NarratorServer(engine: new ScriptedChatClient(tokens: 2));
        using var a = server.Visitor(AddressA);
        using var b = server.Visitor(AddressB);
        var clip = await NarratorServer.UploadClipAsync(a.Http, await TestClips.Mp4Async());
        string url = $"/api/clips/{clip.Id}/subtitles";
        using var attachedByA = await a.Http.PutAsync(url, Srt("a.srt", "Line of A"));
        int filesBefore = server.ClipFiles().Count;

        using var attachedByB = await b.Http.PutAsync(url, Srt("b.srt", "Line of B"));
        using var removedByB = await b.Http.DeleteAsync(url);
        var view = (await a.Http.GetFromJsonAsync<JsonElement>(url, NarratorServer.Json))!;

        Assert.Equal(HttpStatusCode.OK, attachedByA.StatusCode);
        foreach (var refused in new[] { attachedByB, removedByB })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("not_owner", problem.GetProperty("code").GetString());
            Assert.Contains("another visitor", problem.GetProperty("detail").GetString());
        }
        Assert.Equal("a.srt", view.GetProperty("source").GetString());
        Assert.Equal("Line of A 0", view.GetProperty("lines")[0].GetProperty("text").GetString());
        Assert.Equal(filesBefore, server.ClipFiles().Count);
    }

    internal static MultipartFormDataContent Srt(string fileName, string line, int cues = 1)
    {
        var text = new StringBuilder();
        for (int i = 0; i < cues; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i + 1}\n00:00:00,{i % 1000:000} --> 00:00:01,{i % 1000:000}\n{line} {i}\n\n");
        }
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text.ToString()));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        return new MultipartFormDataContent { { content, "file", fileName } };
    }
}
