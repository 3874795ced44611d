using System.Text.Json;
using Narrator.Model;
using Narrator.Model.Exports;

namespace Narrator.Model.Tests.Exports;

public class JsonExportTests
{
    [Fact]
    public async Task Ndjson_has_one_valid_object_per_segment_per_line()
    {
        var narration = SampleNarrations.Mixed();
        string ndjson = await NarrationExport.ToStringAsync(ExportFormat.Ndjson, narration);

        Assert.EndsWith("\n", ndjson, StringComparison.Ordinal);
        var lines = ndjson.TrimEnd('\n').Split('\n');
        Assert.Equal(narration.Segments.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            var root = doc.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);
            Assert.Equal("trailer.mp4", root.GetProperty("video").GetString());
            Assert.Equal(narration.Segments[i].StartSeconds, root.GetProperty("start").GetDouble());
            Assert.Equal(narration.Segments[i].EndSeconds, root.GetProperty("end").GetDouble());
            Assert.Equal("cinematic-zh", root.GetProperty("template").GetString());
            Assert.Equal(narration.Segments[i].Text, root.GetProperty("text").GetString());
            Assert.Equal($"trailer.mp4#{i}", root.GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task A_clip_narrated_whole_writes_no_frame_range_rather_than_end_frame_zero()
    {
        var narration = new TimedNarration
        {
            Video = "a.mp4",
            DurationSeconds = 7.25,
            Segments = [new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 7.25, Text = "A dog runs." }],
        };

        using var doc = JsonDocument.Parse(await NarrationExport.ToStringAsync(ExportFormat.Json, narration));
        var segment = doc.RootElement.GetProperty("segments")[0];

        Assert.False(segment.TryGetProperty("endFrame", out _));
        Assert.False(segment.TryGetProperty("startFrame", out _));
        Assert.Equal(7.25, segment.GetProperty("end").GetDouble());
    }

    [Fact]
    public async Task Ndjson_keeps_chinese_readable_and_newlines_escaped()
    {
        string ndjson = await NarrationExport.ToStringAsync(ExportFormat.Ndjson, SampleNarrations.Mixed());

        Assert.Contains("客厅", ndjson, StringComparison.Ordinal);
        Assert.Contains("\\n", ndjson, StringComparison.Ordinal); // the fenced JSON answer spans lines, escaped
        Assert.Equal(5, ndjson.Count(c => c == '\n'));
    }

    [Fact]
    public async Task Ndjson_carries_tags_and_json_per_template_output()
    {
        var lines = (await NarrationExport.ToStringAsync(ExportFormat.Ndjson, SampleNarrations.Mixed())).TrimEnd('\n').Split('\n');

        using var tags = JsonDocument.Parse(lines[2]);
        Assert.Equal(["city", "night", "rain", "neon"], tags.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        using var json = JsonDocument.Parse(lines[3]);
        Assert.Equal("低调照明", json.RootElement.GetProperty("json").GetProperty("lighting").GetString());
        using var failed = JsonDocument.Parse(lines[4]);
        Assert.Equal("The decoder ran out of memory.", failed.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Json_export_follows_the_documented_schema()
    {
        string json = await NarrationExport.ToStringAsync(ExportFormat.Json, SampleNarrations.Mixed());

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(["video", "durationSeconds", "template", "model", "segmentation", "segments"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("trailer.mp4", root.GetProperty("video").GetString());
        Assert.Equal(95.04, root.GetProperty("durationSeconds").GetDouble());
        var segments = root.GetProperty("segments").EnumerateArray().ToList();
        Assert.Equal(5, segments.Count);
        double previousEnd = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            Assert.Equal(i, s.GetProperty("index").GetInt32());
            Assert.Equal(previousEnd, s.GetProperty("start").GetDouble());
            Assert.True(s.GetProperty("end").GetDouble() > s.GetProperty("start").GetDouble());
            Assert.True(s.GetProperty("endFrame").GetInt32() > s.GetProperty("startFrame").GetInt32());
            Assert.Equal(JsonValueKind.String, s.GetProperty("text").ValueKind);
            previousEnd = s.GetProperty("end").GetDouble();
        }
        var stats = segments[0].GetProperty("stats");
        Assert.Equal(120, stats.GetProperty("generatedTokens").GetInt32());
        Assert.Equal("eos", stats.GetProperty("finishReason").GetString());
        Assert.False(segments[1].TryGetProperty("stats", out _));
        Assert.Equal(JsonValueKind.Array, segments[2].GetProperty("tags").ValueKind);
        Assert.Equal(JsonValueKind.Object, segments[3].GetProperty("json").ValueKind);
        Assert.Equal(JsonValueKind.String, segments[4].GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task Times_are_written_to_the_millisecond()
    {
        var narration = new TimedNarration
        {
            Video = "a.mp4",
            DurationSeconds = 10.123456,
            Segments = [new NarrationSegment { Index = 0, StartSeconds = 0.0004, EndSeconds = 10.123456, Text = "x" }],
        };

        string line = await NarrationExport.ToStringAsync(ExportFormat.Ndjson, narration);

        using var doc = JsonDocument.Parse(line);
        Assert.Equal(0, doc.RootElement.GetProperty("start").GetDouble());
        Assert.Equal(10.123, doc.RootElement.GetProperty("end").GetDouble());
    }

    [Theory]
    [InlineData("json", "json")]
    [InlineData("NDJSON", "ndjson")]
    [InlineData("srt", "srt")]
    [InlineData("vtt", "vtt")]
    [InlineData("webvtt", "vtt")]
    [InlineData("txt", "txt")]
    public void Format_names_parse_case_insensitively(string name, string expected) =>
        Assert.Equal(expected, ExportFormats.Parse(name).Name());

    [Fact]
    public void Every_format_reads_back_from_its_own_name_and_the_names_are_the_listed_ones()
    {
        var formats = ExportFormats.All;

        Assert.All(formats, format => Assert.Equal(format, ExportFormats.Parse(format.Name())));
        Assert.Equal(ExportFormats.Names.Order(), formats.Select(format => format.Name()).Order());
    }

    [Fact]
    public void An_unknown_format_is_a_user_error_naming_the_choices()
    {
        var error = Assert.Throws<UserInputException>(() => ExportFormats.Parse("docx"));
        Assert.Equal("Unknown export format 'docx'; use one of json, ndjson, srt, vtt, txt.", error.Message);
    }

    [Fact]
    public async Task Writing_a_file_replaces_it_whole()
    {
        string path = Path.Combine(Path.GetTempPath(), $"narrator-export-{Guid.NewGuid():N}.srt");
        try
        {
            await File.WriteAllTextAsync(path, new string('z', 100_000));
            await NarrationExport.WriteFileAsync(ExportFormat.Srt, SampleNarrations.Mixed(), path);

            string written = await File.ReadAllTextAsync(path);
            Assert.StartsWith("1\n00:00:00,000 --> ", written, StringComparison.Ordinal);
            Assert.DoesNotContain("zzzz", written, StringComparison.Ordinal);
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
