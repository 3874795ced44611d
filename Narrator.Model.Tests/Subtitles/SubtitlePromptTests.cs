using Narrator.Model.Subtitles;

namespace Narrator.Model.Tests.Subtitles;

public class SubtitlePromptTests
{
    private static readonly SubtitleTrack Track = new()
    {
        Source = "film.srt",
        Lines =
        [
            new(1.0, 2.5, "Before the segment."),
            new(9.0, 11.0, "Across the cut."),
            new(12.25, 14.0, "Inside."),
            new(20.0, 21.0, "After the segment."),
        ],
    };

    [Fact]
    public void The_lines_on_screen_during_the_stretch_go_first_with_times_from_its_start()
    {
        string prompt = SubtitlePrompt.Compose("Describe the video.", Track, 10, 20);

        Assert.Equal("""
            Subtitles (the dialogue in this video, in order; times from the start of this clip):
            [00:00.0 - 00:01.0] Across the cut.
            [00:02.3 - 00:04.0] Inside.

            Describe the video.
            """, prompt);
    }

    [Fact]
    public void A_chinese_prompt_gets_a_chinese_heading()
    {
        string prompt = SubtitlePrompt.Compose("要求：对视频片段进行描述。", Track, 0, 5);

        Assert.StartsWith("字幕（视频中的对白，按时间顺序，时间从本片段开头算起）：\n[00:01.0 - 00:02.5] Before the segment.\n\n要求：", prompt);
    }

    [Fact]
    public void A_placeholder_takes_the_block_where_the_template_wants_it()
    {
        string prompt = SubtitlePrompt.Compose("Describe the video.\n\n{subtitles}\n\nBe brief.", Track, 12, 15);

        Assert.Equal("Describe the video.\n\nSubtitles (the dialogue in this video, in order; times from the start of this clip):\n[00:00.3 - 00:02.0] Inside.\n\nBe brief.", prompt);
    }

    [Fact]
    public void Without_lines_the_prompt_is_unchanged_and_a_placeholder_leaves_no_gap()
    {
        Assert.Equal("Describe the video.", SubtitlePrompt.Compose("Describe the video.", Track, 30, 40));
        Assert.Equal("Describe the video.", SubtitlePrompt.Compose("Describe the video.", null, 0, 40));
        Assert.Equal("Describe.\n\nBe brief.", SubtitlePrompt.Compose("Describe.\n\n{subtitles}\n\nBe brief.", null, 0, 40));
    }

    [Fact]
    public void A_talkative_track_is_cut_at_a_line_and_says_how_many_were_left_out()
    {
        var chatty = new SubtitleTrack
        {
            Source = "chatty.srt",
            Lines = [.. Enumerable.Range(0, 200).Select(i => new SubtitleLine(i * 0.25, i * 0.25 + 0.2, $"Line number {i} of a very long monologue."))],
        };

        string block = SubtitlePrompt.Compose("Go.", chatty, 0, 60);

        Assert.True(block.Length <= SubtitlePrompt.MaxBlockCharacters + 100, block.Length.ToString());
        Assert.Matches(@"\n… \(\d+ more lines not shown\)\n\nGo\.$", block);
        Assert.Contains("Line number 0 of", block);
        Assert.DoesNotContain("Line number 199 of", block);
    }

    [Theory]
    [InlineData(0, "00:00.0")]
    [InlineData(2.25, "00:02.3")]
    [InlineData(59.96, "01:00.0")]
    [InlineData(3725.5, "1:02:05.5")]
    public void Times_read_as_minutes_and_seconds_to_a_tenth(double seconds, string expected) =>
        Assert.Equal(expected, SubtitlePrompt.Clock(seconds));

    [Theory]
    [InlineData("auto", SubtitleSelectionKind.Auto, -1)]
    [InlineData("", SubtitleSelectionKind.Auto, -1)]
    [InlineData("OFF", SubtitleSelectionKind.Off, -1)]
    [InlineData("file", SubtitleSelectionKind.File, -1)]
    [InlineData("stream:3", SubtitleSelectionKind.Stream, 3)]
    [InlineData("2", SubtitleSelectionKind.Stream, 2)]
    public void Selections_read_from_their_written_form(string text, SubtitleSelectionKind kind, int index)
    {
        var selection = SubtitleSelection.Parse(text);

        Assert.Equal((kind, index), (selection.Kind, selection.StreamIndex));
        Assert.Equal(selection, SubtitleSelection.Parse(selection.ToString()));
    }

    [Fact]
    public void An_unknown_selection_lists_the_accepted_forms() =>
        Assert.Equal("subtitles is \"english\"; use \"auto\", \"off\", \"file\" or \"stream:N\" (N from the clip's subtitle streams).",
            Assert.Throws<UserInputException>(() => SubtitleSelection.Parse("english")).Message);
}
