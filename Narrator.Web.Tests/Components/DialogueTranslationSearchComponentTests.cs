using Narrator.Model.Exports;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Model.Search;
using Narrator.Web.Api;
using Narrator.Web.Tests.Api;
using Narrator.Web.Components.Clip;
using Narrator.Web.Components.Output;
using Narrator.Web.Localization;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Tests.Services;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Components;

/// <summary>
/// The dialogue, translation and search panels against a real visitor session of the app (scripted engine): what they
/// show comes from the same services the page uses.
/// </summary>
public sealed class DialogueTranslationSearchComponentTests : MudTestContext, IClassFixture<PromptEchoServerFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly AsyncServiceScope scope;
    private readonly NarrationSession session;

    public DialogueTranslationSearchComponentTests(PromptEchoServerFixture fixture)
    {
        scope = fixture.Server.Services.CreateAsyncScope();
        session = scope.ServiceProvider.GetRequiredService<NarrationSession>();
        Services.AddSingleton(session);
        Services.AddSingleton(TimeProvider.System);
        Services.AddLogging();
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await scope.DisposeAsync();
        await base.DisposeAsyncCore();
    }

    private async Task<ClipInfo> UploadAsync(string path)
    {
        await using var file = File.OpenRead(path);
        return await session.UploadAsync(file, Path.GetFileName(path), null, CancellationToken.None);
    }

    private async Task<NarrationRecord> NarrateAsync(ClipInfo clip, string prompt)
    {
        string? id = null;
        await foreach (var narrationEvent in session.NarrateAsync(new NarrationRequest
        {
            ClipId = clip.Id,
            Prompt = prompt,
            Subtitles = "off",
            Options = new Narrator.Model.Templates.TemplateOptions { NFrames = 2, MinPixels = 3136, MaxPixels = 3136, MaxNewTokens = 2 },
        }, CancellationToken.None))
        {
            id = narrationEvent.NarrationId;
        }
        return (await session.NarrationAsync(id!, CancellationToken.None))!;
    }

    [Fact]
    public async Task The_dialogue_panel_shows_the_lines_going_in_a_picture_streams_reason_and_reports_the_choice()
    {
        var clip = await UploadAsync(await TestClips.PicturesMkvAsync());
        var choices = new List<string>();

        var panel = RenderEnglish<SubtitleLines>(p => p.Add(x => x.Clip, clip).Add(x => x.ChoiceChanged, (string choice) => choices.Add(choice)));

        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=subtitle-line]")), Wait);
        Assert.Contains("English line", panel.Find("[data-testid=subtitle-line]").TextContent);
        Assert.Contains("0:01.0", panel.Find("[data-testid=subtitle-line]").TextContent);
        Assert.Contains("stream 2 (subrip, eng)", panel.Find("[data-testid=subtitles-source]").TextContent);
        Assert.Contains("stream 1 (hdmv_pgs_subtitle) — hdmv_pgs_subtitle subtitles are pictures of text", panel.Find("[data-testid=subtitles-unusable]").TextContent);
        Assert.Equal("stream:2", choices[^1]);

        // Found and switched on the renderer's thread: a render landing in between (MudBlazor re-renders after its own
        // first-render work) would otherwise leave the found input's handler stale and the change silently dropped.
        await panel.InvokeAsync(() => panel.Find("input[data-testid=subtitles-switch]").ChangeAsync(false));

        panel.WaitForAssertion(() => Assert.Equal("off", choices[^1]), Wait);
        Assert.Empty(panel.FindAll("[data-testid=subtitle-line]"));
        Assert.Contains("Off: the prompt holds no dialogue.", panel.Find("[data-testid=subtitles-off]").TextContent);
    }

    [Fact]
    public async Task An_attached_file_and_a_stream_make_two_choices_and_the_file_is_picked_first()
    {
        var clip = await UploadAsync(await TestClips.MovTextMp4Async());
        await using (var srt = new MemoryStream("1\n00:00:01,000 --> 00:00:02,000\n我自己的字幕\n"u8.ToArray()))
        {
            await session.AttachSubtitlesAsync(clip.Id, srt, "mine.srt", CancellationToken.None);
        }
        string? choice = null;

        var panel = RenderWith<SubtitleLines>(UiText.Chinese, p => p.Add(x => x.Clip, clip).Add(x => x.ChoiceChanged, (string value) => choice = value));

        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=subtitle-line]")), Wait);
        Assert.NotNull(panel.Find("[data-testid=subtitles-picker]"));
        Assert.Contains("我自己的字幕", panel.Find("[data-testid=subtitle-line]").TextContent);
        Assert.Contains("片段内共 1 行", panel.Find("[data-testid=subtitles-count]").TextContent);
        Assert.Equal("file", choice);
        Assert.NotNull(panel.Find("[data-testid=subtitles-remove]"));
    }

    [Fact]
    public async Task A_clip_without_subtitles_offers_to_add_a_file_and_a_still_shows_nothing()
    {
        var clip = await UploadAsync(await TestClips.Mp4Async());
        var still = await UploadAsync(await TestClips.PngAsync());

        var panel = RenderEnglish<SubtitleLines>(p => p.Add(x => x.Clip, clip));
        var nothing = RenderEnglish<SubtitleLines>(p => p.Add(x => x.Clip, still));

        panel.WaitForAssertion(() => Assert.Contains("has no text subtitles", panel.Find("[data-testid=subtitles-none]").TextContent), Wait);
        Assert.NotNull(panel.Find("[data-testid=subtitles-attach]"));
        Assert.Empty(panel.FindAll("input[data-testid=subtitles-switch]"));
        Assert.Empty(nothing.FindAll("[data-testid=subtitle-lines]"));
    }

    [Fact]
    public void The_translate_menu_names_languages_in_the_page_language_and_raises_the_code()
    {
        var popovers = Render<MudBlazor.MudPopoverProvider>();
        var picked = new List<string>();
        var menu = RenderWith<TranslateMenu>(UiText.Chinese, p => p
            .Add(x => x.Done, new HashSet<string> { "fr" })
            .Add(x => x.OnTranslate, (string code) => picked.Add(code)));

        menu.Find("[data-testid=translate-menu] button").Click();

        Assert.Contains("法语 ✓", popovers.Find("[data-testid=translate-fr]").TextContent);
        Assert.Contains("西班牙语", popovers.Find("[data-testid=translate-es]").TextContent);
        popovers.Find("[data-testid=translate-es]").Click();
        popovers.WaitForAssertion(() => Assert.Equal(["es"], picked));
    }

    [Fact]
    public async Task The_translation_panel_translates_the_narration_and_shows_and_links_each_stored_language()
    {
        var clip = await UploadAsync(await TestClips.Mp4Async());
        var record = await NarrateAsync(clip, "A lighthouse at dusk.");
        var popovers = Render<MudBlazor.MudPopoverProvider>();

        var panel = RenderEnglish<TranslationPanel>(p => p.Add(x => x.Narration, NarrationRun.FromRecord(record)));
        panel.Find("[data-testid=translate-menu] button").Click();
        popovers.Find("[data-testid=translate-fr]").Click();

        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("[data-testid=translation-chip-fr]")), Wait);
        panel.WaitForAssertion(() => Assert.Contains("Translate the text below into French", panel.Find("[data-testid=translation-text]").TextContent), Wait);
        Assert.Equal($"api/narrations/{record.Id}/export?format=srt&lang=fr", panel.Find("[data-testid=translation-download-srt]").GetAttribute("href"));
        // Opened again later (e.g. from history), the stored translation is there.
        var stored = (await session.NarrationAsync(record.Id, CancellationToken.None))!;
        var reopened = RenderEnglish<TranslationPanel>(p => p.Add(x => x.Narration, NarrationRun.FromRecord(stored)));
        reopened.WaitForAssertion(() => Assert.Contains("Translate the text below into French", reopened.Find("[data-testid=translation-text]").TextContent), Wait);
    }

    [Fact]
    public async Task A_finished_translation_offers_every_registered_format_that_writes_one_language_per_file_labelled_in_the_page_language()
    {
        var clip = await UploadAsync(await TestClips.Mp4Async());
        var record = await NarrateAsync(clip, "A lighthouse at dusk.");
        var popovers = Render<MudBlazor.MudPopoverProvider>();

        var panel = RenderWith<TranslationPanel>(UiText.Chinese, p => p.Add(x => x.Narration, NarrationRun.FromRecord(record)));
        panel.Find("[data-testid=translate-menu] button").Click();
        popovers.Find("[data-testid=translate-fr]").Click();
        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("[data-testid=translation-chip-fr]")), Wait);

        var perLanguage = ExportFormats.All.Where(format => !format.HoldsTranslations).ToList();
        panel.WaitForAssertion(() => Assert.Equal(perLanguage.Count, panel.FindAll("[data-testid^=translation-download-]").Count), Wait);
        Assert.Equal(perLanguage.Select(format => "translation-download-" + format.Name()),
            panel.FindAll("[data-testid^=translation-download-]").Select(link => link.GetAttribute("data-testid")));
        foreach (var format in perLanguage)
        {
            var link = panel.Find($"[data-testid=translation-download-{format.Name()}]");
            Assert.Contains(format.Label("zh-CN"), link.TextContent, StringComparison.Ordinal);
            Assert.EndsWith($".fr{format.FileExtension()}", link.GetAttribute("download"), StringComparison.Ordinal);
        }
        Assert.Empty(panel.FindAll("[data-testid=translation-download-json]"));
    }

    [Fact]
    public async Task History_search_shows_the_visitors_hits_with_the_match_marked_and_opens_one()
    {
        var clip = await UploadAsync(await TestClips.Mp4Async());
        var record = await NarrateAsync(clip, "一个穿红衣服的女人走进了咖啡馆。");
        var opened = new List<SearchHit>();

        var search = RenderEnglish<HistorySearch>(p => p.Add(x => x.OnOpen, (SearchHit hit) => opened.Add(hit)));
        search.Find("input[data-testid=search-box]").Input("咖啡馆");
        search.Find("input[data-testid=search-box]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });

        search.WaitForAssertion(() => Assert.NotEmpty(search.FindAll("[data-testid=search-hit]")), Wait);
        Assert.Equal("咖啡馆", search.Find("[data-testid=search-snippet] mark").TextContent);
        await search.InvokeAsync(() => search.Find("[data-testid=search-hit]").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs()));
        search.WaitForAssertion(() => Assert.Equal(record.Id, Assert.Single(opened).Document.NarrationId), Wait);

        search.Find("input[data-testid=search-box]").Input("nothing like this");
        search.Find("[data-testid=search-button]").Click();
        search.WaitForAssertion(() => Assert.Equal("Nothing found for “nothing like this”.", search.Find("[data-testid=search-summary]").TextContent.Trim()), Wait);
    }
}
