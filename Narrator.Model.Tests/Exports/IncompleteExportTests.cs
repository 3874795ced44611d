using System.Text.Json;
using Narrator.Model.Exports;

namespace Narrator.Model.Tests.Exports;

/// <summary>A narration that did not complete (interrupted by a restart, stopped, failed) says so in every export that can hold a remark.</summary>
public class IncompleteExportTests
{
    private const string Note = "The server stopped while this narration was being written; the text it had written by then is kept.";

    private static TimedNarration Interrupted() => SampleNarrations.Mixed() with { State = "interrupted", StateNote = Note };

    [Fact]
    public async Task Json_names_the_state_and_the_reason_and_a_complete_narration_has_neither()
    {
        using var partial = JsonDocument.Parse(await NarrationExport.ToStringAsync(ExportFormat.Json, Interrupted()));
        using var complete = JsonDocument.Parse(await NarrationExport.ToStringAsync(ExportFormat.Json, SampleNarrations.Mixed()));

        Assert.Equal("interrupted", partial.RootElement.GetProperty("state").GetString());
        Assert.Equal(Note, partial.RootElement.GetProperty("note").GetString());
        Assert.False(complete.RootElement.TryGetProperty("state", out _));
    }

    [Fact]
    public async Task Every_ndjson_line_carries_the_state()
    {
        var lines = (await NarrationExport.ToStringAsync(ExportFormat.Ndjson, Interrupted())).TrimEnd('\n').Split('\n');

        Assert.All(lines, line =>
        {
            using var document = JsonDocument.Parse(line);
            Assert.Equal("interrupted", document.RootElement.GetProperty("state").GetString());
        });
    }

    [Fact]
    public async Task Text_opens_with_the_remark_and_webvtt_carries_it_as_a_note_players_skip()
    {
        string text = await NarrationExport.ToStringAsync(ExportFormat.Text, Interrupted());
        string vtt = await NarrationExport.ToStringAsync(ExportFormat.WebVtt, Interrupted() with { StateNote = "a --> b" });

        Assert.StartsWith($"(interrupted: {Note})\n\n[", text, StringComparison.Ordinal);
        Assert.StartsWith("WEBVTT\n\nNOTE interrupted: a -> b\n\n1\n", vtt, StringComparison.Ordinal);
        Assert.DoesNotContain("NOTE", await NarrationExport.ToStringAsync(ExportFormat.WebVtt, SampleNarrations.Mixed()), StringComparison.Ordinal);
    }
}
