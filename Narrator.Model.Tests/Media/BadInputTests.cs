using Narrator.Model.Media;

namespace Narrator.Model.Tests.Media;

/// <summary>Files that are not usable media fail with one sentence that says what is wrong.</summary>
[Collection(SynthesisedClipsCollection.Name)]
public class BadInputTests(SynthesisedClips clips)
{
    private readonly MediaPreparer preparer = new(new MediaProber(SynthesisedClips.Tools), new FrameExtractor(SynthesisedClips.Tools));

    [Theory]
    [InlineData("does-not-exist.mp4", "File not found")]
    [InlineData("empty.mp4", "is empty")]
    [InlineData("random.mp4", "not a video at all")]
    [InlineData("truncated.mp4", "truncated")]
    [InlineData("notes.txt", "not a video or image")]
    [InlineData("audio-only.m4a", "only audio")]
    [InlineData("1x300.png", "aspect ratio 300:1 is over the limit of 200:1")]
    [InlineData("header-only.mp4", "No frames could be decoded")]
    public async Task Unusable_file_gives_a_clear_one_line_error(string file, string expected)
    {
        var error = await Assert.ThrowsAsync<MediaException>(
            () => preparer.PrepareAsync(clips.In(file), new FrameOptions(), CancellationToken.None));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(Path.GetFileName(file), error.Message);
    }

    [Fact]
    public async Task A_folder_is_not_a_file()
    {
        var error = await Assert.ThrowsAsync<MediaException>(
            () => preparer.PrepareAsync(clips.Folder, new FrameOptions(), CancellationToken.None));

        Assert.Contains("is a folder", error.Message);
    }

    [Fact]
    public async Task Asking_for_more_frames_than_the_clip_has_is_a_user_error()
    {
        var error = await Assert.ThrowsAsync<UserInputException>(
            () => preparer.PrepareAsync(clips.H264Mp4, new FrameOptions { NFrames = 40 }, CancellationToken.None));

        Assert.Contains("clip of 30 frames", error.Message);
    }

    [Fact]
    public void Missing_ffmpeg_says_how_to_install_it()
    {
        var empty = Directory.CreateDirectory(Path.Combine(clips.Folder, "no-tools")).FullName;

        var error = Assert.Throws<FfmpegMissingException>(() => FfmpegTools.Locate(empty));

        Assert.Contains("ffmpeg and ffprobe were not found", error.Message);
        Assert.Contains("apt-get install ffmpeg", error.Message);
    }
}
