using System.Text.Json;
using Microsoft.Extensions.AI;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Templates;
using Narrator.Model.Tests.Batch;
using Narrator.Model.Translation;

namespace Narrator.Model.Tests.Translation;

public class NarrationTranslatorTests
{
    private static readonly TranslationLanguage French = TranslationLanguages.Get("fr");

    private static TimedNarration Whole(string text) => new()
    {
        Video = "clip.mp4",
        DurationSeconds = 4,
        Segmentation = "whole",
        Segments = [new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 4, Text = text }],
    };

    private static TimedNarration Long() => new()
    {
        Video = "film.mp4",
        DurationSeconds = 90,
        Segmentation = "scenes",
        Segments =
        [
            new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 30, Text = "Anna opens the door." },
            new NarrationSegment { Index = 1, StartSeconds = 30, EndSeconds = 60, Error = "frames could not be decoded" },
            new NarrationSegment { Index = 2, StartSeconds = 60, EndSeconds = 90, Text = "Anna leaves." },
        ],
    };

    [Fact]
    public async Task A_whole_narration_is_one_text_only_request_with_the_instruction_and_the_text()
    {
        var engine = new ScriptedEngine();

        var result = await new NarrationTranslator(engine).TranslateAsync(Whole("一个穿红衣服的女人走进了咖啡馆。"), French, TemplateOutputKind.Prose, 2048);

        var request = Assert.Single(engine.Requests);
        Assert.Equal(ChatRole.User, request.Role);
        Assert.DoesNotContain(request.Contents, content => content is PreparedMediaContent or DataContent or UriContent);
        string prompt = Assert.Single(request.Contents.OfType<TextContent>()).Text;
        Assert.Equal(TranslationPrompt.Build(French, "一个穿红衣服的女人走进了咖啡馆。"), prompt);
        Assert.StartsWith("Translate the text below into French (français).\n- Write only the translation", prompt);
        Assert.Contains("- Keep every name (people, places, brands, titles of works) exactly as it is written in the text.", prompt);
        Assert.Contains("- Keep the layout: the same paragraphs and line breaks, in the same order.", prompt);
        Assert.EndsWith("Text:\n一个穿红衣服的女人走进了咖啡馆。", prompt);
        Assert.Equal("TRANSLATED 一个穿红衣服的女人走进了咖啡馆。", result.Text);
        Assert.Equal("fr", result.Language.Code);
        Assert.Equal(0, result.Stats.VisualTokens);
    }

    [Fact]
    public async Task A_long_video_is_translated_segment_by_segment_keeping_times_and_skipping_failed_ones()
    {
        var engine = new ScriptedEngine();

        var result = await new NarrationTranslator(engine).TranslateAsync(Long(), French, TemplateOutputKind.Prose, 2048);

        Assert.Equal(2, engine.Requests.Count);
        Assert.Equal([(0.0, 30.0, "TRANSLATED Anna opens the door.", null), (30.0, 60.0, "", "frames could not be decoded"), (60.0, 90.0, "TRANSLATED Anna leaves.", null)],
            result.Segments.Select(s => (s.StartSeconds, s.EndSeconds, s.Text, s.Error)));
        Assert.Equal("[00:00:00.000 - 00:00:30.000]\nTRANSLATED Anna opens the door.\n\n[00:00:30.000 - 00:01:00.000]\n(failed: frames could not be decoded)\n\n" +
            "[00:01:00.000 - 00:01:30.000]\nTRANSLATED Anna leaves.", result.Text);
    }

    [Fact]
    public async Task Tags_and_json_answers_are_asked_to_keep_their_shape()
    {
        var engine = new ScriptedEngine();
        var tags = Whole("") with { Segments = [new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 4, Text = "raw", Tags = ["night", "city"] }] };

        await new NarrationTranslator(engine).TranslateAsync(tags, French, TemplateOutputKind.Tags, 2048);
        await new NarrationTranslator(engine).TranslateAsync(Whole("{\"shot\":\"close-up\"}"), French, TemplateOutputKind.Json, 2048);

        string tagPrompt = engine.Requests[0].Text;
        Assert.Contains("comma-separated list of tags: answer with the same number of tags, in the same order", tagPrompt);
        Assert.EndsWith("Text:\nnight, city", tagPrompt);
        Assert.Contains("keep its keys, brackets, quotes and commas exactly", engine.Requests[1].Text);
    }

    [Fact]
    public async Task One_failing_segment_of_a_long_video_is_recorded_and_the_others_are_still_translated()
    {
        var engine = new ScriptedEngine { FailTextWhen = prompt => prompt.EndsWith("opens the door.", StringComparison.Ordinal) ? new UserInputException("too long for the model") : null };

        var result = await new NarrationTranslator(engine).TranslateAsync(Long(), French, TemplateOutputKind.Prose, 2048);

        Assert.Equal(["too long for the model", "frames could not be decoded", null], result.Segments.Select(s => s.Error));
        Assert.Equal("TRANSLATED Anna leaves.", result.Segments[2].Text);
    }

    [Fact]
    public async Task Nothing_to_translate_is_a_sentence_not_an_empty_result()
    {
        var error = await Assert.ThrowsAsync<UserInputException>(() =>
            new NarrationTranslator(new ScriptedEngine()).TranslateAsync(Whole("   "), French, TemplateOutputKind.Prose, 2048));

        Assert.Equal("The narration has no text to translate.", error.Message);
    }

    [Fact]
    public async Task Translations_travel_in_the_json_export_and_subtitles_come_out_in_a_language_on_request()
    {
        var engine = new ScriptedEngine();
        var narration = Long();
        narration = narration.With(await new NarrationTranslator(engine).TranslateAsync(narration, French, TemplateOutputKind.Prose, 2048));
        narration = narration.With(await new NarrationTranslator(engine).TranslateAsync(narration, TranslationLanguages.Get("es"), TemplateOutputKind.Prose, 2048));

        using var json = JsonDocument.Parse(await NarrationExport.ToStringAsync(ExportFormat.Json, narration));
        var root = json.RootElement;
        Assert.Equal(["es", "fr"], root.GetProperty("translations").EnumerateObject().Select(p => p.Name));
        Assert.Equal("TRANSLATED Anna opens the door.", root.GetProperty("segments")[0].GetProperty("translations").GetProperty("fr").GetString());
        Assert.False(root.GetProperty("segments")[1].TryGetProperty("translations", out _));

        string srt = await NarrationExport.ToStringAsync(ExportFormat.Srt, narration.InLanguage("fr"));
        Assert.Contains("00:00:00,000 --> 00:00:30,000\nTRANSLATED Anna opens the door.", srt);
        Assert.DoesNotContain("Anna opens the door.\n", srt.Replace("TRANSLATED Anna opens the door.", "", StringComparison.Ordinal));
        string ndjson = await NarrationExport.ToStringAsync(ExportFormat.Ndjson, narration.InLanguage("es"));
        Assert.Contains("\"language\":\"es\"", ndjson);

        var missing = Assert.Throws<UserInputException>(() => narration.InLanguage("de"));
        Assert.Equal("This narration has no translation into \"de\"; it has fr, es.", missing.Message);
    }

    [Theory]
    [InlineData("zh-CN", "zh")]
    [InlineData("ZH-tw", "zh-Hant")]
    [InlineData("pt-BR", "pt")]
    [InlineData("FR", "fr")]
    public void Regional_codes_map_to_the_language_they_mean(string code, string expected) =>
        Assert.Equal(expected, TranslationLanguages.Get(code).Code);

    [Fact]
    public void Language_lists_are_checked_whole()
    {
        Assert.Equal(["fr", "es"], TranslationLanguages.ParseList(["fr,es", "FR"]).Select(l => l.Code));
        Assert.StartsWith("\"klingon\" is not a language Narrator translates into; use one of en, zh, zh-Hant",
            Assert.Throws<UserInputException>(() => TranslationLanguages.ParseList(["fr", "klingon"])).Message);
        Assert.StartsWith("Name at least one language", Assert.Throws<UserInputException>(() => TranslationLanguages.ParseList([])).Message);
        Assert.Equal("6 languages were asked for; one request translates into at most 5.",
            Assert.Throws<UserInputException>(() => TranslationLanguages.ParseList(["en,fr,de,es,it,ja"])).Message);
    }

    [Fact]
    public void Token_room_grows_with_the_text_but_stays_within_the_limit()
    {
        Assert.Equal(256, TranslationPrompt.GenerationFor("short", 2048).MaxNewTokens);
        Assert.Equal(2 * 500 + 64, TranslationPrompt.GenerationFor(new string('字', 500), 2048).MaxNewTokens);
        Assert.Equal(2048, TranslationPrompt.GenerationFor(new string('x', 5000), 2048).MaxNewTokens);
        Assert.Equal((0f, 1f), (TranslationPrompt.GenerationFor("x", 2048).Temperature, TranslationPrompt.GenerationFor("x", 2048).RepetitionPenalty));
    }
}
