using System.Text.RegularExpressions;
using Narrator.Model.Tests.Text;

namespace Narrator.Model.Tests.Subtitles;

/// <summary>
/// <c>narrator describe --dry-run</c> through the real program: the exact prompt of each clip or segment, with exactly the
/// dialogue on screen during it and its times, and the frame plan, without a model being loaded.
/// </summary>
[Collection(SubtitleClipsCollection.Name)]
public partial class DescribeDryRunTests(SubtitleClips clips)
{
    private const string EnglishHeading = "Subtitles (the dialogue in this video, in order; times from the start of this clip):";

    [Fact]
    public async Task A_clips_own_mov_text_lines_inside_it_go_into_the_prompt_with_their_times()
    {
        var result = await NarratorProcess.RunAsync(null, "describe", clips.MovTextMp4, "--dry-run", "--template", "description-en");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var prompt = Assert.Single(Prompts(result.Stdout));
        Assert.Contains($"<|vision_end|>{EnglishHeading}\n[00:00.5 - 00:01.5] Hello there\n[00:02.0 - 00:03.0] 你好，朋友\n\nDescribe this video in two or three paragraphs", prompt);
        Assert.DoesNotContain("After the end", prompt);
        Assert.StartsWith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n<|vision_start|><|video_pad|>×", prompt);
        Assert.EndsWith("<|im_end|>\n<|im_start|>assistant\n", prompt);
        Assert.Contains("\"subtitleLines\":2", result.Stdout);
        Assert.Contains("subtitles: 3 line(s) from stream 1 (mov_text)", result.Stderr);
        Assert.DoesNotContain("model:", result.Stderr); // no model was loaded
    }

    [Fact]
    public async Task An_external_srt_gives_its_lines_inside_the_clip_and_a_chinese_template_gets_a_chinese_heading()
    {
        var result = await NarratorProcess.RunAsync(null, "describe", clips.PlainMp4, "--dry-run", "--subtitles", clips.ExternalSrt);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var prompt = Assert.Single(Prompts(result.Stdout));
        Assert.Contains("<|vision_end|>字幕（视频中的对白，按时间顺序，时间从本片段开头算起）：\n[00:01.0 - 00:02.0] From the file\n\n要求：", prompt);
        Assert.DoesNotContain("Too late", prompt);
        Assert.Contains("subtitles: 2 line(s) from external.srt", result.Stderr);
    }

    [Fact]
    public async Task Each_segment_of_a_long_video_gets_exactly_the_lines_on_screen_during_it_timed_from_its_start()
    {
        var result = await NarratorProcess.RunAsync(null, "describe", clips.LongMp4, "--dry-run", "--template", "description-en",
            "--long-video", "10", "--split", "fixed", "--segment-length", "10", "--min-segment", "5", "--max-segment", "20");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var prompts = Prompts(result.Stdout);
        Assert.Equal(3, prompts.Count);
        Assert.Equal(["[00:02.0 - 00:03.0] Opening line", "[00:09.5 - 00:10.0] Across the cut"], DialogueOf(prompts[0]));
        Assert.Equal(["[00:00.0 - 00:00.5] Across the cut", "[00:05.0 - 00:06.0] Middle line"], DialogueOf(prompts[1]));
        Assert.Equal(["[00:02.0 - 00:03.0] Closing line"], DialogueOf(prompts[2]));
        Assert.Contains("== segment 2 of 3: [00:00:10.000 - 00:00:20.000] ==", result.Stdout);
        // Each segment is planned as a clip of its own: frame indices start at its first frame.
        Assert.Matches(@"== segment 3 of 3: [^\n]*==\n\{""plan"":\{""nframes"":\d+,""indices"":\[200,", result.Stdout);
    }

    [Fact]
    public async Task Picture_subtitles_are_reported_as_not_usable_and_several_text_streams_offer_a_choice()
    {
        var result = await NarratorProcess.RunAsync(null, "describe", clips.SeveralStreamsMkv, "--dry-run", "--template", "description-en");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("subtitles: stream 1 (hdmv_pgs_subtitle) is not usable: hdmv_pgs_subtitle subtitles are pictures of text", result.Stderr);
        Assert.Contains("subtitles: the video has 2 text streams (stream 2 (subrip, eng), stream 3 (subrip, fra, French)); pick one with --subtitle-stream N", result.Stderr);
        Assert.Contains("[00:01.0 - 00:02.0] Réplique française", Assert.Single(Prompts(result.Stdout)));

        var english = await NarratorProcess.RunAsync(null, "describe", clips.SeveralStreamsMkv, "--dry-run", "--subtitle-stream", "2");
        Assert.True(english.ExitCode == 0, english.Stderr);
        Assert.Contains("[00:01.0 - 00:02.0] English line", Assert.Single(Prompts(english.Stdout)));
    }

    [Fact]
    public async Task Asking_for_a_picture_stream_is_a_user_error_with_the_reason()
    {
        var result = await NarratorProcess.RunAsync(null, "describe", clips.SeveralStreamsMkv, "--dry-run", "--subtitle-stream", "1");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: Subtitle stream 1 (hdmv_pgs_subtitle) cannot be used: hdmv_pgs_subtitle subtitles are pictures of text", result.Stderr.Trim());
    }

    [Fact]
    public async Task No_subtitles_leaves_the_prompt_as_the_template_wrote_it_and_a_placeholder_takes_the_lines()
    {
        var off = await NarratorProcess.RunAsync(null, "describe", clips.MovTextMp4, "--dry-run", "--no-subtitles", "--template", "description-en");
        var placed = await NarratorProcess.RunAsync(null, "describe", clips.MovTextMp4, "--dry-run", "--prompt", "Who speaks?\n{subtitles}\nAnswer briefly.");

        Assert.True(off.ExitCode == 0, off.Stderr);
        Assert.Contains("<|vision_end|>Describe this video in two or three paragraphs", Assert.Single(Prompts(off.Stdout)));
        Assert.Contains("subtitles: off", off.Stderr);
        Assert.True(placed.ExitCode == 0, placed.Stderr);
        Assert.Contains($"<|vision_end|>Who speaks?\n{EnglishHeading}\n[00:00.5 - 00:01.5] Hello there\n[00:02.0 - 00:03.0] 你好，朋友\nAnswer briefly.<|im_end|>",
            Assert.Single(Prompts(placed.Stdout)));
    }

    [Fact]
    public async Task A_subtitle_file_that_is_not_text_stops_before_anything_runs()
    {
        string junk = clips.In("junk.srt");
        await File.WriteAllBytesAsync(junk, [0x00, 0x01, 0x02, 0xFF, 0x10, 0x00, 0x7F, 0x03]);

        var result = await NarratorProcess.RunAsync(null, "describe", clips.PlainMp4, "--dry-run", "--subtitles", junk);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: junk.srt is not a text file (it holds binary data); choose an .srt or .vtt subtitle file.", result.Stderr.Trim());
    }

    /// <summary>The chat text of each clip or segment, in order.</summary>
    private static List<string> Prompts(string stdout) =>
        [.. PromptBlock().Matches(stdout).Select(match => match.Groups[1].Value)];

    /// <summary>The timestamped dialogue lines of one prompt.</summary>
    private static List<string> DialogueOf(string prompt) =>
        [.. prompt.Split('\n').Where(line => DialogueLine().IsMatch(line))];

    [GeneratedRegex(@"--- prompt ---\n(.*?)--- end of prompt ---", RegexOptions.Singleline)]
    private static partial Regex PromptBlock();

    [GeneratedRegex(@"^(<\|vision_end\|>)?\[\d{2}:\d{2}\.\d - \d{2}:\d{2}\.\d\] ")]
    private static partial Regex DialogueLine();
}
