using Narrator.Model.Media;

namespace Narrator.Model.Tests.Segmentation;

/// <summary>
/// A segment of a long video is decoded after a seek; it must yield the frames a decode from the start gives: exactly
/// in containers that stamp every frame, and at most one frame off (the same for all) where timestamps are guessed.
/// </summary>
public sealed class SegmentPreparationTests : IAsyncLifetime
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"narrator-range-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        // Frame n has luma n, so every frame differs from its neighbours; short GOPs with B-frames make the seek land mid-GOP.
        const string source = "color=c=black:s=64x48:r=25:d=8,format=yuv420p,geq=lum='N':cb=128:cr=128";
        await TestFfmpeg.RunAsync(["-f", "lavfi", "-i", source,
            "-c:v", "libx264", "-g", "50", "-bf", "2", Path.Combine(folder, "grey.mp4")]);
        await TestFfmpeg.RunAsync(["-f", "lavfi", "-i", source,
            "-c:v", "mpeg2video", "-q:v", "2", "-g", "12", "-bf", "2", Path.Combine(folder, "grey.mpg")]);
        await TestFfmpeg.RunAsync(["-f", "lavfi", "-i", source,
            "-c:v", "mpeg4", "-q:v", "2", "-g", "12", "-bf", "2", Path.Combine(folder, "grey.avi")]);
        await TestFfmpeg.RunAsync(["-f", "lavfi", "-i", source,
            "-c:v", "libvpx-vp9", "-deadline", "realtime", "-g", "30", Path.Combine(folder, "grey.webm")]);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("grey.mp4", 100, 60, true)]
    [InlineData("grey.mp4", 37, 80, true)]
    [InlineData("grey.webm", 101, 60, true)]
    [InlineData("grey.avi", 100, 60, false)]
    [InlineData("grey.mpg", 100, 60, false)]
    public async Task A_range_decodes_the_frames_a_decode_from_the_start_gives(string file, int firstFrame, int frameCount, bool exact)
    {
        string path = Path.Combine(folder, file);
        var preparer = new MediaPreparer();
        var probe = await preparer.Prober.ProbeAsync(path, CancellationToken.None);
        var options = new FrameOptions { Fps = 2, MinFrames = 4, MaxFrames = 8 };

        var segment = await preparer.PrepareRangeAsync(path, probe, options, firstFrame, frameCount, CancellationToken.None);

        Assert.All(segment.Plan.Indices, i => Assert.InRange(i, firstFrame, firstFrame + frameCount - 1));
        Assert.Equal(firstFrame, segment.Plan.Indices[0]);
        Assert.Equal(segment.Plan.Indices, segment.Frames.Indices);
        Assert.Equal(firstFrame / 25.0, segment.Frames.TimestampsSeconds[0], 6);
        Assert.False(segment.Frames.Frame(0).SequenceEqual(segment.Frames.Frame(1)), "neighbouring samples must differ for the comparison to mean anything");

        // Every frame from one before the range to one after it, decoded from the start.
        int before = firstFrame - 1;
        var window = segment.Plan with { Indices = Enumerable.Range(before, frameCount + 2).ToArray(), NFrames = frameCount + 2 };
        var fromStart = await new FrameExtractor().ExtractAsync(path, probe, window, CancellationToken.None);
        int[] offsets = exact ? [0] : [0, -1, 1];
        int? matched = offsets.Cast<int?>().FirstOrDefault(offset => Enumerable.Range(0, segment.Frames.Count).All(k =>
            segment.Frames.Frame(k).SequenceEqual(fromStart.Frame(segment.Plan.Indices[k] + offset!.Value - before))));
        Assert.True(matched is not null, exact ? "the seeked decode differs from the full decode" : "the seeked decode is off by more than one frame");
    }

    [Fact]
    public async Task A_range_is_planned_as_a_clip_of_its_own_length()
    {
        string path = Path.Combine(folder, "grey.mp4");
        var preparer = new MediaPreparer();
        var probe = await preparer.Prober.ProbeAsync(path, CancellationToken.None);
        var options = new FrameOptions();

        var segment = await preparer.PrepareRangeAsync(path, probe, options, 50, 100, CancellationToken.None);

        var alone = FramePlanner.PlanVideo(100, 25, 64, 48, options);
        Assert.Equal(alone.NFrames, segment.Plan.NFrames);
        Assert.Equal(alone.SecondPerGridT, segment.Plan.SecondPerGridT);
        Assert.Equal(alone.Indices.Select(i => i + 50), segment.Plan.Indices);
    }
}
