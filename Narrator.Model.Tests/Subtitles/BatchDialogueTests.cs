using System.Text.Json;
using Microsoft.Extensions.AI;
using Narrator.Model.Batch;
using Narrator.Model.Exports;
using Narrator.Model.Media;
using Narrator.Model.Search;
using Narrator.Model.Segmentation;
using Narrator.Model.Tests.Batch;
using Narrator.Model.Translation;

namespace Narrator.Model.Tests.Subtitles;

/// <summary>A batch reads each video's dialogue (a subtitle file beside it, else its own stream) and translates what it narrated.</summary>
[Collection(SubtitleClipsCollection.Name)]
public sealed class BatchDialogueTests(SubtitleClips clips) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("narrator-batch-dialogue-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private async Task<(BatchReport Report, ScriptedEngine Engine)> RunAsync(bool useSubtitles = true)
    {
        File.Copy(clips.PlainMp4, Path.Combine(folder, "plain.mp4"), overwrite: true);
        File.Copy(clips.ExternalSrt, Path.Combine(folder, "plain.srt"), overwrite: true);
        File.Copy(clips.MovTextMp4, Path.Combine(folder, "talk.mp4"), overwrite: true);
        var engine = new ScriptedEngine();
        var report = await new BatchRunner(engine, new MediaPreparer(), new VideoSegmenter()).RunAsync(new BatchRequest
        {
            Inputs = [folder],
            OutputPath = Path.Combine(folder, "results.json"),
            Prompt = "Describe.",
            Frames = BatchFolderFixture.SmallFrames,
            UseSubtitles = useSubtitles,
            Translate = [TranslationLanguages.Get("fr")],
            Exports = [ExportFormat.Srt, ExportFormat.Json],
            ExportFolder = folder,
        });
        return (report, engine);
    }

    private static string NarrationPromptOf(ScriptedEngine engine, int index) =>
        engine.Requests.Where(r => r.Contents.OfType<Narrator.Model.Generation.PreparedMediaContent>().Any()).ElementAt(index).Text;

    [Fact]
    public async Task A_subtitle_file_beside_a_video_and_a_videos_own_stream_both_reach_its_prompt()
    {
        var (report, engine) = await RunAsync();

        Assert.Equal(["ok", "ok"], report.Items.Select(i => i.Status));
        Assert.Equal(["plain.srt", "stream 1 (mov_text)"], report.Items.Select(i => i.Subtitles));
        Assert.Contains("[00:01.0 - 00:02.0] From the file\n\nDescribe.", NarrationPromptOf(engine, 0));
        Assert.DoesNotContain("Too late", NarrationPromptOf(engine, 0));
        Assert.Contains("[00:00.5 - 00:01.5] Hello there\n[00:02.0 - 00:03.0] 你好，朋友\n\nDescribe.", NarrationPromptOf(engine, 1));
    }

    [Fact]
    public async Task Without_subtitles_the_prompt_is_the_request_alone()
    {
        var (report, engine) = await RunAsync(useSubtitles: false);

        Assert.Equal([null, null], report.Items.Select(i => i.Subtitles));
        Assert.EndsWith(" for Describe.", report.Items[0].Text);
        Assert.DoesNotContain("Subtitles", NarrationPromptOf(engine, 0));
    }

    [Fact]
    public async Task Translations_are_kept_in_the_results_and_exports_and_the_source_subtitles_are_never_overwritten()
    {
        string original = await File.ReadAllTextAsync(clips.ExternalSrt);

        var (report, engine) = await RunAsync();

        // One narration and one text-only translation per video.
        Assert.Equal(4, engine.Calls);
        var item = report.Items[0];
        // The scripted engine's narration ends with the prompt's last line; its "translation" repeats the text's last line.
        Assert.Equal("TRANSLATED Describe.", item.Translations!["fr"]);
        Assert.Equal(original, await File.ReadAllTextAsync(Path.Combine(folder, "plain.srt")));
        Assert.Equal(
            [Path.Combine(folder, "plain.narration.srt"), Path.Combine(folder, "plain.fr.srt"), Path.Combine(folder, "plain.json")],
            item.Exports);
        Assert.Contains("TRANSLATED Describe.", await File.ReadAllTextAsync(Path.Combine(folder, "plain.fr.srt")));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "plain.json")));
        Assert.StartsWith("TRANSLATED", json.RootElement.GetProperty("translations").GetProperty("fr").GetString());

        // The results file is searchable, translations included.
        var documents = await ResultsFileDocuments.LoadAsync(Path.Combine(folder, "results.json"), CancellationToken.None);
        Assert.Equal(["narration", "translation", "narration", "translation"], documents.Select(d => d.Kind));
        Assert.Equal("fr", documents[1].Language);
    }
}
