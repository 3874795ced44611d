using Narrator.Model.Media;
using Narrator.Model.Segmentation;

namespace Narrator.Model.Tests.Segmentation;

public class VideoSegmenterTests(SceneClipsFixture clips) : IClassFixture<SceneClipsFixture>
{
    private const double OneFrame = 1.0 / SceneClip.Fps;

    [Theory]
    [InlineData(null)]
    [InlineData(64)]
    public async Task Cuts_between_distinct_sources_are_found_within_one_frame(int? analysisWidth)
    {
        var cuts = await new SceneCutDetector().DetectAsync(clips.ShortClip, new SegmentationOptions { AnalysisWidth = analysisWidth });

        double[] expected = SceneClip.CutTimes(SceneClipsFixture.ShortScenes);
        Assert.Equal(expected.Length, cuts.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.InRange(cuts[i].Seconds, expected[i] - OneFrame, expected[i] + OneFrame);
            Assert.InRange(cuts[i].Score, 0.3, 1.0);
        }
    }

    [Fact]
    public async Task A_long_video_is_cut_on_its_scenes_with_short_scenes_merged_and_the_long_one_split()
    {
        var probe = SceneClip.Probe(SceneClipsFixture.LongScenes);

        var result = await new VideoSegmenter().SegmentAsync(clips.LongClip, probe, new SegmentationOptions());

        Assert.Equal(SegmentationMethod.Scenes, result.Method);
        Assert.Empty(result.Warnings);
        double[] cuts = SceneClip.CutTimes(SceneClipsFixture.LongScenes);
        Assert.Equal(cuts.Length, result.Cuts.Count);
        // Scenes 2+20 s and 1.5+30 s merge; the 80 s scene (with the 2.5 s tail folded in) is split in two.
        Assert.Equal(4, result.Segments.Count);
        Assert.InRange(result.Segments[0].EndSeconds, 22 - OneFrame, 22 + OneFrame);
        Assert.InRange(result.Segments[1].EndSeconds, 53.5 - OneFrame, 53.5 + OneFrame);
        Assert.Equal([SegmentBoundary.SceneCut, SegmentBoundary.SceneCut, SegmentBoundary.Split, SegmentBoundary.End], result.Segments.Select(s => s.EndsAt));
        SegmentPlannerTests.AssertCovers(result.Segments, probe.DurationSeconds, probe.FrameCount, new SegmentationOptions());
    }

    [Fact]
    public async Task A_video_without_cuts_falls_back_to_fixed_length_and_says_so()
    {
        var probe = SceneClip.Probe(SceneClipsFixture.OneScene);

        var result = await new VideoSegmenter().SegmentAsync(clips.OneSceneClip, probe, new SegmentationOptions());

        Assert.Equal(SegmentationMethod.Fixed, result.Method);
        Assert.Equal([30.0, 60, 75], result.Segments.Select(s => s.EndSeconds));
        Assert.Equal("No scene cuts were found; the video was cut into fixed-length segments instead.", Assert.Single(result.Warnings));
    }

    [Fact]
    public async Task Fixed_mode_ignores_the_scenes()
    {
        var probe = SceneClip.Probe(SceneClipsFixture.LongScenes);
        var options = new SegmentationOptions { Mode = SegmentationMode.Fixed, FixedSegmentSeconds = 20 };

        var result = await new VideoSegmenter().SegmentAsync(clips.LongClip, probe, options);

        Assert.Equal(SegmentationMethod.Fixed, result.Method);
        Assert.Empty(result.Cuts);
        Assert.Equal([20.0, 40, 60, 80, 100, 120, 136], result.Segments.Select(s => s.EndSeconds));
    }

    [Fact]
    public async Task A_clip_under_the_limit_is_one_segment()
    {
        var probe = SceneClip.Probe(SceneClipsFixture.ShortScenes);

        var result = await new VideoSegmenter().SegmentAsync(clips.ShortClip, probe, new SegmentationOptions());

        Assert.Equal(SegmentationMethod.Whole, result.Method);
        Assert.Empty(result.Cuts);
        var whole = Assert.Single(result.Segments);
        Assert.Equal((0.0, 19.0, 0, 475), (whole.StartSeconds, whole.EndSeconds, whole.StartFrame, whole.EndFrame));
    }

    [Fact]
    public async Task The_long_video_limit_is_configurable()
    {
        var probe = SceneClip.Probe(SceneClipsFixture.ShortScenes);
        var options = new SegmentationOptions { LongVideoSeconds = 10, MinSegmentSeconds = 3, MaxSegmentSeconds = 10, FixedSegmentSeconds = 5 };

        var result = await new VideoSegmenter().SegmentAsync(clips.ShortClip, probe, options);

        Assert.Equal(SegmentationMethod.Scenes, result.Method);
        Assert.Equal(4, result.Segments.Count);
        double[] cuts = SceneClip.CutTimes(SceneClipsFixture.ShortScenes);
        for (int i = 0; i < cuts.Length; i++)
        {
            Assert.InRange(result.Segments[i].EndSeconds, cuts[i] - OneFrame, cuts[i] + OneFrame);
        }
    }

    [Fact]
    public async Task A_corrupt_file_is_a_media_error_from_the_detector_and_a_fixed_fallback_from_the_segmenter()
    {
        string path = Path.Combine(Path.GetTempPath(), $"narrator-corrupt-{Guid.NewGuid():N}.mp4");
        await File.WriteAllBytesAsync(path, new byte[4096]);
        try
        {
            var error = await Assert.ThrowsAsync<MediaException>(() => new SceneCutDetector().DetectAsync(path, new SegmentationOptions()));
            // Without a probe the detector probes first (to pin the demuxer), so the probe's sentence names the file.
            Assert.Contains(Path.GetFileName(path), error.Message, StringComparison.Ordinal);
            var pinned = await Assert.ThrowsAsync<MediaException>(() => new SceneCutDetector().DetectAsync(
                path, SceneClip.Probe([("testsrc", 90)]), new SegmentationOptions(), FfmpegPriority.Normal));
            Assert.StartsWith($"ffmpeg could not decode '{Path.GetFileName(path)}' to find scene cuts: ", pinned.Message, StringComparison.Ordinal);

            var probe = SceneClip.Probe([("testsrc", 90)]);
            var result = await new VideoSegmenter().SegmentAsync(path, probe, new SegmentationOptions());
            Assert.Equal(SegmentationMethod.Fixed, result.Method);
            Assert.StartsWith("Scene detection failed (", Assert.Single(result.Warnings), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Detection_stops_when_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SceneCutDetector().DetectAsync(clips.LongClip, new SegmentationOptions(), cancelled.Token));
    }

    [Theory]
    [InlineData("frame:12   pts:51200   pts_time:4.04", 4.04)]
    [InlineData("frame:0    pts:0       pts_time:0", 0.0)]
    public void Frame_lines_give_the_time(string line, double expected)
    {
        Assert.True(SceneCutDetector.TryParseFrameTime(line, out double seconds));
        Assert.Equal(expected, seconds);
    }

    [Fact]
    public void Score_lines_give_the_score()
    {
        Assert.True(SceneCutDetector.TryParseScore("lavfi.scene_score=0.870763", out double score));
        Assert.Equal(0.870763, score);
        Assert.False(SceneCutDetector.TryParseScore("lavfi.other=1", out _));
    }
}
