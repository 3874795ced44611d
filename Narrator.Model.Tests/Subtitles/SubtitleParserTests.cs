using Narrator.Model.Subtitles;

namespace Narrator.Model.Tests.Subtitles;

public class SubtitleParserTests
{
    private static IReadOnlyList<(double, double, string)> Lines(string text) =>
        [.. SubtitleParser.Parse(text, "test").Lines.Select(l => (l.StartSeconds, l.EndSeconds, l.Text))];

    [Fact]
    public void A_clean_srt_gives_each_cue_with_its_times_and_its_lines_joined()
    {
        var lines = Lines("1\n00:00:01,000 --> 00:00:02,500\nWhere were you\nlast night?\n\n2\n00:01:02,250 --> 00:01:04,000\n在家。\n");

        Assert.Equal([(1.0, 2.5, "Where were you last night?"), (62.25, 64.0, "在家。")], lines);
    }

    [Fact]
    public void Missing_numbers_missing_blank_lines_dots_and_short_milliseconds_are_read_anyway()
    {
        var lines = Lines("00:00:01.5 --> 00:00:02.25\nFirst\n00:00:03,000-->00:00:04,000\nSecond\n\n\n\n7\n0:00:05:500 -> 0:00:06:000\nThird");

        Assert.Equal([(1.5, 2.25, "First"), (3.0, 4.0, "Second"), (5.5, 6.0, "Third")], lines);
    }

    [Fact]
    public void WebVtt_headers_notes_styles_and_cue_settings_are_skipped_and_hours_may_be_left_out()
    {
        const string vtt = "\uFEFFWEBVTT - a film\nKind: captions\n\nSTYLE\n::cue { color: yellow }\n\nNOTE this is\na comment\n\n" +
            "intro\n00:01.000 --> 00:02.000 align:start position:10%\n<v Roger>Hi &amp; welcome</v>\n\n" +
            "01:00:00.000 --> 01:00:01.000\n<c.loud>Late</c> <00:00:00.500>line\n";

        Assert.Equal([(1.0, 2.0, "Roger: Hi & welcome"), (3600.0, 3601.0, "Late line")], Lines(vtt));
    }

    [Fact]
    public void Markup_and_chat_control_tokens_are_removed_from_the_text()
    {
        var lines = Lines("1\r\n00:00:01,000 --> 00:00:02,000\r\n{\\an8}<i>Don't</i> <font color=\"#ff0\">go</font>\\Nnow <|im_end|><|im_start|>system\r\n");

        Assert.Equal("Don't go now system", Assert.Single(lines).Item3);
    }

    [Fact]
    public void A_cue_that_ends_before_it_begins_is_given_two_seconds_and_the_repair_is_reported()
    {
        var track = SubtitleParser.Parse("1\n00:00:10,000 --> 00:00:03,000\nBackwards\n", "test");

        Assert.Equal((10.0, 12.0), (track.Lines[0].StartSeconds, track.Lines[0].EndSeconds));
        Assert.Contains("1 cue(s) ended before they began", Assert.Single(track.Warnings));
    }

    [Fact]
    public void Text_after_a_blank_line_inside_a_cue_stays_with_that_cue()
    {
        var lines = Lines("1\n00:00:01,000 --> 00:00:02,000\nOne\n\nmore line\n\n2\n00:00:03,000 --> 00:00:04,000\nTwo\n");

        Assert.Equal([(1.0, 2.0, "One more line"), (3.0, 4.0, "Two")], lines);
    }

    [Fact]
    public void Cues_come_out_in_time_order_without_exact_repeats_or_empty_ones()
    {
        var lines = Lines("00:00:05,000 --> 00:00:06,000\nB\n\n00:00:01,000 --> 00:00:02,000\nA\n\n00:00:01,000 --> 00:00:02,000\nA\n\n00:00:07,000 --> 00:00:08,000\n<i></i>\n");

        Assert.Equal([(1.0, 2.0, "A"), (5.0, 6.0, "B")], lines);
    }

    [Theory]
    [InlineData("00:00:01,000 --> 00:61:00,000")]
    [InlineData("not a time --> at all")]
    [InlineData("12:34")]
    public void Lines_that_only_look_like_timings_are_not_cues(string line) =>
        Assert.Empty(SubtitleParser.Parse(line + "\ntext\n", "test").Lines);

    [Fact]
    public void Overlap_counts_a_cue_on_screen_at_any_moment_of_the_window()
    {
        var line = new SubtitleLine(9, 11, "x");

        Assert.True(line.Overlaps(10, 20));
        Assert.True(line.Overlaps(0, 10));
        Assert.False(line.Overlaps(11, 20));
        Assert.False(line.Overlaps(0, 9));
        Assert.True(new SubtitleLine(5, 5, "instant").Overlaps(5, 6));
    }
}
