using System.Globalization;
using System.Text.RegularExpressions;
using Narrator.Model.Exports;

namespace Narrator.Model.Tests.Exports;

public partial class SubtitleWriterTests
{
    [GeneratedRegex(@"^(\d{2,}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2,}):(\d{2}):(\d{2}),(\d{3})$")]
    private static partial Regex SrtTiming();

    [GeneratedRegex(@"^(\d{2,}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2,}):(\d{2}):(\d{2})\.(\d{3})$")]
    private static partial Regex VttTiming();

    [Fact]
    public async Task Srt_is_numbered_cues_with_comma_timings_and_a_blank_line_after_each()
    {
        string srt = await NarrationExport.ToStringAsync(ExportFormat.Srt, SampleNarrations.Mixed());

        var cues = ParseBlocks(srt);
        Assert.True(cues.Count >= 5);
        for (int i = 0; i < cues.Count; i++)
        {
            Assert.Equal((i + 1).ToString(CultureInfo.InvariantCulture), cues[i][0]);
            Assert.Matches(SrtTiming(), cues[i][1]);
            Assert.InRange(cues[i].Length - 2, 1, 2);
        }
        Assert.EndsWith("\n\n", srt, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", srt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cues_stay_inside_their_segment_in_order_without_overlap()
    {
        var narration = SampleNarrations.Mixed();
        string srt = await NarrationExport.ToStringAsync(ExportFormat.Srt, narration);

        var spans = ParseBlocks(srt).Select(block => ParseSpan(SrtTiming().Match(block[1]))).ToList();
        Assert.Equal(0, spans[0].Start);
        for (int i = 1; i < spans.Count; i++)
        {
            Assert.True(spans[i].Start >= spans[i - 1].End, $"cue {i + 1} starts before cue {i} ends");
            Assert.True(spans[i].End > spans[i].Start, $"cue {i + 1} is empty");
        }
        // The failed last segment (80 s - 95.04 s) has no cue, and the JSON segment's cues end exactly at 80 s.
        Assert.Equal(80_000, spans[^1].End);
        // Segment boundaries are cue boundaries: some cue ends at 12.48 s and the next starts there.
        Assert.Contains(spans, s => s.End == 12_480);
        Assert.Contains(spans, s => s.Start == 12_480);
    }

    [Fact]
    public async Task Chinese_cue_lines_fit_the_column_budget()
    {
        string srt = await NarrationExport.ToStringAsync(ExportFormat.Srt, SampleNarrations.Mixed());

        var textLines = ParseBlocks(srt).SelectMany(block => block.Skip(2)).ToList();
        Assert.Contains(textLines, line => line.Contains("客厅", StringComparison.Ordinal));
        Assert.All(textLines, line => Assert.InRange(CaptionLineBreaker.Columns(line), 1, 42));
    }

    [Fact]
    public async Task Tags_segments_show_the_tags_as_one_line()
    {
        string srt = await NarrationExport.ToStringAsync(ExportFormat.Srt, SampleNarrations.Mixed());

        Assert.Contains("\ncity, night, rain, neon\n", srt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebVtt_starts_with_the_header_and_uses_full_stop_timings()
    {
        string vtt = await NarrationExport.ToStringAsync(ExportFormat.WebVtt, SampleNarrations.Mixed());

        Assert.StartsWith("WEBVTT\n\n", vtt, StringComparison.Ordinal);
        var cues = ParseBlocks(vtt[8..]);
        Assert.True(cues.Count >= 5);
        for (int i = 0; i < cues.Count; i++)
        {
            Assert.Equal((i + 1).ToString(CultureInfo.InvariantCulture), cues[i][0]);
            Assert.Matches(VttTiming(), cues[i][1]);
        }
    }

    [Fact]
    public async Task WebVtt_escapes_markup_characters_and_arrows_in_the_text()
    {
        var narration = new TimedNarration
        {
            Video = "a.mp4",
            DurationSeconds = 4,
            Segments = [new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 4, Text = "Tom & Jerry <run> --> away" }],
        };

        string vtt = await NarrationExport.ToStringAsync(ExportFormat.WebVtt, narration);

        Assert.Equal("WEBVTT\n\n1\n00:00:00.000 --> 00:00:04.000\nTom &amp; Jerry &lt;run&gt; --&gt; away\n\n", vtt);
    }

    [Fact]
    public void A_long_narration_of_a_short_clip_gets_fewer_fuller_cues_each_on_screen_for_the_minimum()
    {
        // About 1,000 tokens of text over 11 s: at two lines a cue that would be ~40 cues of ~0.27 s each.
        string text = string.Concat(Enumerable.Repeat("画面中一个穿红衣服的女人走进了咖啡馆，镜头缓慢推近她的脸。", 40));
        var narration = new TimedNarration
        {
            Video = "megamind.avi",
            DurationSeconds = 11.26,
            Segments = [new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 11.26, Text = text }],
        };

        var cues = SubtitleCueBuilder.Build(narration);
        var lines = CaptionLineBreaker.Wrap(text, 42);

        Assert.Equal(7, cues.Count); // 11.26 s holds seven 1.5 s cues
        Assert.All(cues, cue => Assert.True(cue.EndSeconds - cue.StartSeconds >= 1.5, $"cue {cue.Number} lasts {cue.EndSeconds - cue.StartSeconds:0.###} s"));
        Assert.Equal(lines, cues.SelectMany(cue => cue.Lines)); // every line, in order, none twice
        Assert.Equal(0, cues[0].StartSeconds);
        Assert.Equal(11.26, cues[^1].EndSeconds);
        for (int i = 1; i < cues.Count; i++)
        {
            Assert.Equal(cues[i - 1].EndSeconds, cues[i].StartSeconds);
        }
    }

    [Fact]
    public void A_segment_shorter_than_the_minimum_is_one_cue_over_its_own_time()
    {
        var narration = new TimedNarration
        {
            Video = "a.mp4",
            DurationSeconds = 0.8,
            Segments = [new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 0.8, Text = string.Concat(Enumerable.Repeat("A dog runs across the yard. ", 6)) }],
        };

        var cue = Assert.Single(SubtitleCueBuilder.Build(narration));

        Assert.Equal((0, 0.8), (cue.StartSeconds, cue.EndSeconds));
        Assert.True(cue.Lines.Count > 2);
    }

    [Fact]
    public async Task Srt_of_a_short_clip_is_one_cue_spanning_the_clip()
    {
        var narration = new TimedNarration
        {
            Video = "a.mp4",
            DurationSeconds = 7.25,
            Segments = [new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 7.25, Text = "A dog runs." }],
        };

        string srt = await NarrationExport.ToStringAsync(ExportFormat.Srt, narration);

        Assert.Equal("1\n00:00:00,000 --> 00:00:07,250\nA dog runs.\n\n", srt);
    }

    [Fact]
    public async Task Plain_text_lists_each_segment_with_its_time_span()
    {
        string text = await NarrationExport.ToStringAsync(ExportFormat.Text, SampleNarrations.Mixed());

        var blocks = text.Split("\n\n");
        Assert.Equal(5, blocks.Length);
        Assert.StartsWith("[00:00:00.000 - 00:00:12.480]\n画面开始于", blocks[0], StringComparison.Ordinal);
        Assert.Equal("[00:00:40.200 - 00:01:01.000]\ncity, night, rain, neon", blocks[2]);
        Assert.Equal("[00:01:20.000 - 00:01:35.040]\n(failed: The decoder ran out of memory.)\n", blocks[4]);
    }

    private static List<string[]> ParseBlocks(string text) =>
        text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(block => block.Split('\n')).ToList();

    private static (long Start, long End) ParseSpan(Match match)
    {
        Assert.True(match.Success);
        long Ms(int g) => ((long.Parse(match.Groups[g].Value, CultureInfo.InvariantCulture) * 60
            + long.Parse(match.Groups[g + 1].Value, CultureInfo.InvariantCulture)) * 60
            + long.Parse(match.Groups[g + 2].Value, CultureInfo.InvariantCulture)) * 1000
            + long.Parse(match.Groups[g + 3].Value, CultureInfo.InvariantCulture);
        return (Ms(1), Ms(5));
    }
}
