using System.Text.Json;
using Narrator.Model.Tests.Segmentation;
using Narrator.Model.Tests.Text;

namespace Narrator.Model.Tests.Exports;

/// <summary>`narrator describe --export`: the streamed narration also lands in a timestamped file.</summary>
public sealed class DescribeExportTests : IAsyncLifetime
{
    private static readonly string[] Quick = ["--max-new-tokens", "8", "--nframes", "4", "--max-pixels", "12544", "--min-pixels", "3136"];

    private readonly string folder = Directory.CreateTempSubdirectory("narrator-describe-export-").FullName;

    private string Clip => Path.Combine(folder, "clip.mp4");

    public Task InitializeAsync() => SceneClip.WriteAsync(Clip, [("testsrc", 2), ("smptebars", 1.6)]);

    public Task DisposeAsync()
    {
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_json_export_holds_the_streamed_text_over_the_whole_clip()
    {
        string export = Path.Combine(folder, "clip.json");

        var result = await NarratorProcess.RunAsync(null, ["describe", Clip, "--export", "json", "--export-out", export, .. Quick]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"exported: {export}", result.Stderr, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(export));
        var segment = Assert.Single(document.RootElement.GetProperty("segments").EnumerateArray());
        Assert.Equal("clip.mp4", document.RootElement.GetProperty("video").GetString());
        Assert.Equal("cinematic-zh", document.RootElement.GetProperty("template").GetString());
        Assert.Equal((0.0, 3.6), (segment.GetProperty("start").GetDouble(), segment.GetProperty("end").GetDouble()));
        Assert.Equal(result.Stdout.TrimEnd('\n'), segment.GetProperty("text").GetString());
        Assert.InRange(segment.GetProperty("stats").GetProperty("generatedTokens").GetInt32(), 1, 8);
    }

    [Fact]
    public async Task The_webvtt_export_is_one_cue_over_the_clip()
    {
        var result = await NarratorProcess.RunAsync(null, ["describe", Clip, "--export", "vtt", "--export-out", Path.Combine(folder, "clip.vtt"), .. Quick]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        string vtt = await File.ReadAllTextAsync(Path.Combine(folder, "clip.vtt"));
        Assert.StartsWith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:03.600\n", vtt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_video_over_a_minute_is_narrated_per_scene_with_a_time_heading_per_segment_and_exported_per_segment()
    {
        string film = Path.Combine(folder, "film.mp4");
        await SceneClip.WriteAsync(film, [("testsrc", 40), ("smptebars", 35)]);
        string export = Path.Combine(folder, "film.json");

        var result = await NarratorProcess.RunAsync(null, ["describe", film, "--export", "json", "--export-out", export, .. Quick]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("split: 2 segments by scenes", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("segment 2 of 2: stats: ", result.Stderr, StringComparison.Ordinal);
        Assert.StartsWith("[00:00:00.000 - 00:00:40.000]\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\n\n[00:00:40.000 - 00:01:15.000]\n", result.Stdout, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(export));
        Assert.Equal("scenes", document.RootElement.GetProperty("segmentation").GetString());
        var segments = document.RootElement.GetProperty("segments").EnumerateArray().ToList();
        Assert.Equal([(0.0, 40.0), (40.0, 75.0)], segments.Select(s => (s.GetProperty("start").GetDouble(), s.GetProperty("end").GetDouble())));
        Assert.All(segments, s => Assert.Contains(s.GetProperty("text").GetString()!, result.Stdout, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_export_format_is_a_user_error()
    {
        var result = await NarratorProcess.RunAsync(null, "describe", Clip, "--export", "docx");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("docx", result.Stderr, StringComparison.Ordinal);
    }
}
