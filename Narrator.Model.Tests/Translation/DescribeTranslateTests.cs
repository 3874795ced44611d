using System.Text.Json;
using Narrator.Model.Tests.Subtitles;
using Narrator.Model.Tests.Text;

namespace Narrator.Model.Tests.Translation;

/// <summary><c>narrator describe --translate</c> through the real program and the tiny demo model.</summary>
[Collection(SubtitleClipsCollection.Name)]
public sealed class DescribeTranslateTests(SubtitleClips clips) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("narrator-describe-translate-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task The_translation_streams_after_the_narration_and_is_exported_with_it_and_as_its_own_subtitles()
    {
        string json = Path.Combine(folder, "talk.json");
        string srt = Path.Combine(folder, "talk.srt");

        var result = await NarratorProcess.RunAsync(null, "describe", clips.MovTextMp4, "--template", "description-en", "--max-new-tokens", "6",
            "--translate", "fr", "--export", "json", "--export-out", json);
        var subtitles = await NarratorProcess.RunAsync(null, "describe", clips.MovTextMp4, "--template", "description-en", "--max-new-tokens", "6",
            "--translate", "zh-CN", "--export", "srt", "--export-out", srt);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("\n--- French (fr) ---\n", result.Stdout);
        Assert.Matches(@"translation: stats: \d+ prompt tokens \(0 visual, 0 frames\)", result.Stderr);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        string translated = document.RootElement.GetProperty("translations").GetProperty("fr").GetString()!;
        Assert.NotEmpty(translated);
        Assert.Equal(translated, document.RootElement.GetProperty("segments")[0].GetProperty("translations").GetProperty("fr").GetString());
        Assert.True(subtitles.ExitCode == 0, subtitles.Stderr);
        Assert.Contains($"exported: {Path.Combine(folder, "talk.zh.srt")}", subtitles.Stderr);
        Assert.StartsWith("1\n00:00:00,000 --> ", await File.ReadAllTextAsync(Path.Combine(folder, "talk.zh.srt")));
    }

    [Fact]
    public async Task An_unknown_language_stops_before_the_model_loads()
    {
        var result = await NarratorProcess.RunAsync(null, "describe", clips.MovTextMp4, "--translate", "fr,xx");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: \"xx\" is not a language Narrator translates into; use one of en, zh,", result.Stderr.Trim());
        Assert.DoesNotContain("model:", result.Stderr);
    }
}
