using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Web.Api;
using Narrator.Web.Narrations;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Queue;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>The app with a scripted engine that answers with its prompt, so a test reads exactly what the model was asked.</summary>
public sealed class PromptEchoServerFixture() : ScriptedServerFixture(() => new ScriptedChatClient(tokens: 2),
    new Dictionary<string, string?> { ["Narrator:Queue:PerOwnerLimit"] = "4" });

/// <summary>Subtitles into the prompt, translations by the same engine, and search, over the HTTP API.</summary>
public sealed class DialogueTranslationSearchApiTests(PromptEchoServerFixture fixture) : IClassFixture<PromptEchoServerFixture>, IDisposable
{
    private readonly HttpClient http = fixture.Server.Http();

    public void Dispose() => http.Dispose();

    private async Task<ClipInfo> UploadAsync(string path) => await NarratorServer.UploadClipAsync(http, path);

    /// <summary>Starts a narration and reads its events to the end; returns the final event's data.</summary>
    private async Task<(string Id, JsonElement Final)> NarrateAsync(object body)
    {
        using var started = await http.PostAsJsonAsync("/api/narrations", body);
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var accepted = (await started.Content.ReadFromJsonAsync<NarrationAccepted>(NarratorServer.Json))!;
        var events = await SseReader.ReadAllAsync(http, accepted.EventsUrl);
        return (accepted.Id, events[^1].Data);
    }

    private static object Body(string clipId, string prompt, string? subtitles = null, string[]? translate = null) =>
        new { clipId, prompt, subtitles, translate, nFrames = 2, minPixels = 3136, maxPixels = 3136, maxNewTokens = 2 };

    private static async Task<ProblemDetails> ProblemAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProblemDetails>(NarratorServer.Json))!;

    [Fact]
    public async Task An_upload_lists_its_text_subtitle_stream_and_the_lines_inside_the_clip()
    {
        var clip = await UploadAsync(await TestClips.MovTextMp4Async());

        var stream = Assert.Single(clip.SubtitleStreams);
        var view = (await http.GetFromJsonAsync<ClipSubtitlesViewDto>($"/api/clips/{clip.Id}/subtitles", NarratorServer.Json))!;

        Assert.Equal((1, "mov_text", true), (stream.Index, stream.Codec, stream.IsUsable));
        Assert.Equal(("auto", "stream 1 (mov_text)"), (view.Selection, view.Source));
        Assert.Equal(["Hello there", "你好，朋友"], view.Lines.Select(l => l.Text));
    }

    [Fact]
    public async Task The_dialogue_reaches_the_prompt_and_can_be_switched_off_or_sent_inline()
    {
        var clip = await UploadAsync(await TestClips.MovTextMp4Async());

        var (autoId, auto) = await NarrateAsync(Body(clip.Id, "Who speaks?"));
        var (_, off) = await NarrateAsync(Body(clip.Id, "Who speaks?", subtitles: "off"));
        var (_, inline) = await NarrateAsync(Body(clip.Id, "Who speaks?", subtitles: "1\n00:00:01,000 --> 00:00:02,500\nInline words\n"));

        Assert.StartsWith("Subtitles (the dialogue in this video, in order; times from the start of this clip):\n[00:00.5 - 00:01.5] Hello there\n[00:02.0 - 00:03.0] 你好，朋友\n\nWho speaks?#0 ",
            auto.GetProperty("text").GetString());
        Assert.StartsWith("Who speaks?#0 ", off.GetProperty("text").GetString());
        Assert.Contains("[00:01.0 - 00:02.5] Inline words\n\nWho speaks?#0", inline.GetProperty("text").GetString());
        var record = (await http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{autoId}", NarratorServer.Json))!;
        Assert.Equal(("stream 1 (mov_text)", "Who speaks?"), (record.Subtitles, record.Prompt));
    }

    [Fact]
    public async Task Picture_subtitles_are_listed_with_the_reason_and_asking_for_them_is_refused_with_it()
    {
        var clip = await UploadAsync(await TestClips.PicturesMkvAsync());

        using var asked = await http.PostAsJsonAsync("/api/narrations", Body(clip.Id, "Who speaks?", subtitles: "stream:1"));
        using var viewed = await http.GetAsync($"/api/clips/{clip.Id}/subtitles?source=stream:1");
        var (_, auto) = await NarrateAsync(Body(clip.Id, "Who speaks?"));

        Assert.Equal([(1, false), (2, true)], clip.SubtitleStreams.Select(s => (s.Index, s.IsUsable)));
        Assert.StartsWith("hdmv_pgs_subtitle subtitles are pictures of text", clip.SubtitleStreams[0].UnusableReason);
        Assert.Equal(HttpStatusCode.BadRequest, asked.StatusCode);
        Assert.StartsWith("Subtitle stream 1 (hdmv_pgs_subtitle) cannot be used: hdmv_pgs_subtitle subtitles are pictures", (await ProblemAsync(asked)).Detail);
        Assert.Equal(HttpStatusCode.BadRequest, viewed.StatusCode);
        // "auto" passes over the picture stream to the text one.
        Assert.Contains("[00:01.0 - 00:02.0] English line", auto.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_subtitle_file_can_be_attached_and_a_bad_one_is_refused_leaving_the_clip_and_the_earlier_file()
    {
        var clip = await UploadAsync(await TestClips.Mp4Async());
        string url = $"/api/clips/{clip.Id}/subtitles";

        using var attached = await http.PutAsync(url, Multipart("file", "mine.srt", Encoding.UTF8.GetBytes("1\n00:00:00,200 --> 00:00:01,000\nMy own line\n")));
        using var junk = await http.PutAsync(url, Multipart("file", "junk.srt", [0x00, 0xFF, 0x13, 0x00, 0x02]));
        var view = (await http.GetFromJsonAsync<ClipSubtitlesViewDto>($"{url}?source=file", NarratorServer.Json))!;
        var (_, narrated) = await NarrateAsync(Body(clip.Id, "Who speaks?"));
        using var removed = await http.DeleteAsync(url);
        using var removedAgain = await http.DeleteAsync(url);

        Assert.Equal(HttpStatusCode.OK, attached.StatusCode);
        Assert.Equal((HttpStatusCode)422, junk.StatusCode);
        Assert.Equal("junk.srt is not a text file (it holds binary data); choose an .srt or .vtt subtitle file.", (await ProblemAsync(junk)).Detail);
        Assert.Equal(("mine.srt", "My own line"), (view.Source, Assert.Single(view.Lines).Text));
        Assert.Contains("[00:00.2 - 00:01.0] My own line", narrated.GetProperty("text").GetString());
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, removedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/clips/{clip.Id}")).StatusCode);
    }

    [Fact]
    public async Task An_upload_may_carry_its_subtitles_and_a_bad_subtitle_file_refuses_the_whole_upload()
    {
        byte[] video = await File.ReadAllBytesAsync(await TestClips.Mp4Async());
        int foldersBefore = Directory.GetDirectories(fixture.Server.ClipsFolder).Length;

        using var good = await http.PostAsync("/api/clips", Multipart(("file", "clip.mp4", video), ("subtitles", "clip.vtt",
            Encoding.UTF8.GetBytes("WEBVTT\n\n00:01.000 --> 00:01.500\nFrom the upload\n"))));
        using var bad = await http.PostAsync("/api/clips", Multipart(("subtitles", "clip.srt", Encoding.UTF8.GetBytes("no cues here")), ("file", "clip.mp4", video)));

        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
        var clip = (await good.Content.ReadFromJsonAsync<ClipInfo>(NarratorServer.Json))!;
        var view = (await http.GetFromJsonAsync<ClipSubtitlesViewDto>($"/api/clips/{clip.Id}/subtitles", NarratorServer.Json))!;
        Assert.Equal(("auto", "clip.vtt", "From the upload"), (view.Selection, view.Source, Assert.Single(view.Lines).Text));
        Assert.Equal((HttpStatusCode)422, bad.StatusCode);
        Assert.StartsWith("clip.srt has no subtitle cues", (await ProblemAsync(bad)).Detail);
        Assert.Equal(foldersBefore + 1, Directory.GetDirectories(fixture.Server.ClipsFolder).Length);
    }

    [Fact]
    public async Task A_narration_asked_to_be_translated_names_its_translation_which_is_stored_and_exported_per_language()
    {
        var clip = await UploadAsync(await TestClips.Mp4Async());

        var (id, completed) = await NarrateAsync(Body(clip.Id, "A lighthouse at dusk.", subtitles: "off", translate: ["fr"]));
        string translationId = completed.GetProperty("translationId").GetString()!;
        var translationEvents = await SseReader.ReadAllAsync(http, $"/api/narrations/{translationId}/events");
        var record = (await http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json))!;
        string srt = await http.GetStringAsync($"/api/narrations/{id}/export?format=srt&lang=fr");
        using var json = JsonDocument.Parse(await http.GetStringAsync($"/api/narrations/{id}/export?format=json"));
        using var missing = await http.GetAsync($"/api/narrations/{id}/export?format=srt&lang=de");

        Assert.Equal("completed", translationEvents[^1].Name);
        Assert.Contains(translationEvents, e => e.Name == "translation" && e.Data.GetProperty("language").GetString() == "fr");
        var french = record.Translations!["fr"];
        Assert.Equal(NarrationState.Completed, french.State);
        Assert.StartsWith("Translate the text below into French (français).", french.Text);
        // The scripted engine answers with its prompt: the instruction, then the narration's text as it was stored.
        Assert.Contains("\n\nText:\nA lighthouse at dusk.#0 A lighthouse at dusk.#1#0 ", french.Text);
        Assert.Contains("Translate the text below into French", srt);
        Assert.Equal(french.Text, json.RootElement.GetProperty("translations").GetProperty("fr").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("This narration has no translation into \"de\"; it has fr.", (await ProblemAsync(missing)).Detail);
        // The engine got a text-only request for it.
        Assert.Contains(fixture.Engine.Requests, request => request.Text.StartsWith("Translate the text below into French", StringComparison.Ordinal)
            && !request.Contents.OfType<PreparedMediaContent>().Any());
    }

    [Fact]
    public async Task A_finished_narration_can_be_translated_later_and_mistakes_are_named()
    {
        var clip = await UploadAsync(await TestClips.Mp4Async());
        var (id, _) = await NarrateAsync(Body(clip.Id, "Boats in a harbour.", subtitles: "off"));

        using var started = await http.PostAsJsonAsync($"/api/narrations/{id}/translations", new { languages = new[] { "es", "zh-CN" } });
        var accepted = (await started.Content.ReadFromJsonAsync<TranslationAccepted>(NarratorServer.Json))!;
        var events = await SseReader.ReadAllAsync(http, accepted.EventsUrl);
        using var unknown = await http.PostAsJsonAsync("/api/narrations/000000000000000000000000/translations", new { languages = new[] { "fr" } });
        using var badLanguage = await http.PostAsJsonAsync($"/api/narrations/{id}/translations", new { languages = new[] { "xx" } });
        var record = (await http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json))!;

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal(id, accepted.NarrationId);
        Assert.Equal(["es", "zh"], accepted.Languages);
        Assert.Equal(["translating into es (1 of 2)", "translating into zh (2 of 2)"], events.Where(e => e.Name == "stage")
            .Select(e => e.Data.GetProperty("stage").GetString()).Where(stage => stage!.StartsWith("translating", StringComparison.Ordinal)));
        Assert.Equal(["es", "zh"], record.Translations!.Keys.Order());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.StartsWith("No narration \"000000000000000000000000\" of yours is stored", (await ProblemAsync(unknown)).Detail);
        Assert.Equal(HttpStatusCode.BadRequest, badLanguage.StatusCode);
        Assert.StartsWith("\"xx\" is not a language Narrator translates into", (await ProblemAsync(badLanguage)).Detail);
    }

    [Fact]
    public async Task Search_finds_a_fresh_narration_by_chinese_and_english_words_and_never_another_visitors()
    {
        var clip = await UploadAsync(await TestClips.Mp4Async());
        var (id, _) = await NarrateAsync(Body(clip.Id, "一个穿红衣服的女人走进了咖啡馆 near the harbourmaster's office", subtitles: "off"));
        // Someone else's narration with the same words, stored under another owner.
        var history = fixture.Server.Services.GetRequiredService<NarrationHistory>();
        var strangerOwner = NarrationOwner.ForVisitor("ffffffffffffffffffffffffffffffff");
        var stranger = new NarrationJob("ffffffffffffffffffffffff", QueueHarness.Caller(strangerOwner.Value), QueueHarness.Work("x"), DateTimeOffset.UtcNow);
        stranger.AppendToken("一个穿红衣服的女人走进了咖啡馆 near the harbourmaster's office");
        await history.SaveAsync(stranger.ToRecord(new CompletedEvent(stranger.Text, new GenerationStats()) { NarrationId = stranger.Id }, DateTimeOffset.UtcNow),
            strangerOwner, CancellationToken.None);

        var chinese = (await http.GetFromJsonAsync<SearchResponse>($"/api/search?q={Uri.EscapeDataString("咖啡馆")}", NarratorServer.Json))!;
        var shortWord = (await http.GetFromJsonAsync<SearchResponse>($"/api/search?q={Uri.EscapeDataString("衣服")}", NarratorServer.Json))!;
        var english = (await http.GetFromJsonAsync<SearchResponse>("/api/search?q=HARBOURMASTER", NarratorServer.Json))!;
        using var empty = await http.GetAsync("/api/search?q=%20");
        using var tooMany = await http.GetAsync("/api/search?q=x&limit=1000");

        Assert.Equal([id], chinese.Hits.Select(h => h.NarrationId).Distinct());
        // A visitor with a short history is scanned (the service tests cover the index).
        Assert.Equal(("substring", "narration"), (chinese.Mode, chinese.Hits[0].Kind));
        Assert.Equal([id], shortWord.Hits.Select(h => h.NarrationId).Distinct());
        Assert.Equal("substring", shortWord.Mode);
        Assert.Equal([id], english.Hits.Select(h => h.NarrationId).Distinct());
        var highlight = english.Hits[0].Highlights[0];
        Assert.Equal("harbourmaster", english.Hits[0].Snippet.Substring(highlight[0], highlight[1]));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("Type a word or phrase to search for.", (await ProblemAsync(empty)).Detail);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    private static MultipartFormDataContent Multipart(string field, string fileName, byte[] bytes) => Multipart((field, fileName, bytes));

    private static MultipartFormDataContent Multipart(params (string Field, string FileName, byte[] Bytes)[] parts)
    {
        var form = new MultipartFormDataContent();
        foreach (var (field, fileName, bytes) in parts)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, field, fileName);
        }
        return form;
    }

    /// <summary>The JSON of <c>GET /api/clips/{id}/subtitles</c> as a client reads it.</summary>
    private sealed record ClipSubtitlesViewDto(string Selection, string? Source, IReadOnlyList<LineDto> Lines);

    private sealed record LineDto(double StartSeconds, double EndSeconds, string Text);
}
