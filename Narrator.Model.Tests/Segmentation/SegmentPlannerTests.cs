using Narrator.Model;
using Narrator.Model.Segmentation;

namespace Narrator.Model.Tests.Segmentation;

public class SegmentPlannerTests
{
    private static readonly SegmentationOptions Defaults = new();

    [Fact]
    public void Scenes_shorter_than_the_minimum_merge_into_the_next_and_the_last_into_the_previous()
    {
        // Scenes: 2, 20, 1.5, 30, 80, 2.5 seconds.
        double[] cuts = [2, 22, 23.5, 53.5, 133.5];

        Assert.True(SegmentPlanner.TryFromCuts(136, 25, 3400, cuts, Defaults, out var segments));

        Assert.Equal([(0.0, 22.0), (22.0, 53.5), (53.5, 94.75), (94.75, 136.0)], segments.Select(s => (s.StartSeconds, s.EndSeconds)));
        Assert.Equal([SegmentBoundary.SceneCut, SegmentBoundary.SceneCut, SegmentBoundary.Split, SegmentBoundary.End], segments.Select(s => s.EndsAt));
    }

    [Fact]
    public void A_scene_longer_than_the_maximum_is_split_into_equal_parts()
    {
        double[] cuts = [10, 160];

        Assert.True(SegmentPlanner.TryFromCuts(170, 25, 4250, cuts, Defaults, out var segments));

        Assert.Equal([0.0, 10, 60, 110, 160, 170], segments.Select(s => s.StartSeconds).Append(segments[^1].EndSeconds));
        Assert.Equal(SegmentBoundary.Split, segments[1].EndsAt);
        Assert.Equal(SegmentBoundary.SceneCut, segments[3].EndsAt);
    }

    [Fact]
    public void Every_scene_long_enough_becomes_its_own_segment()
    {
        double[] cuts = [12, 30, 41, 70];

        Assert.True(SegmentPlanner.TryFromCuts(90, 30, 2700, cuts, Defaults, out var segments));

        Assert.Equal([12.0, 30, 41, 70, 90], segments.Select(s => s.EndSeconds));
    }

    [Fact]
    public void Segments_always_cover_the_video_in_order_within_min_and_max()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 500; trial++)
        {
            double duration = 61 + random.NextDouble() * 900;
            var cuts = new double[random.Next(0, 60)];
            for (int i = 0; i < cuts.Length; i++)
            {
                cuts[i] = random.NextDouble() * duration;
            }
            var options = new SegmentationOptions { MinSegmentSeconds = 2 + random.Next(0, 8), MaxSegmentSeconds = 30 + random.Next(0, 60) };
            int frames = (int)Math.Round(duration * 24);

            if (!SegmentPlanner.TryFromCuts(duration, 24, frames, cuts, options, out var segments))
            {
                segments = SegmentPlanner.FixedLength(duration, 24, frames, options);
            }

            AssertCovers(segments, duration, frames, options);
        }
    }

    [Fact]
    public void Without_a_usable_cut_there_is_no_scene_plan()
    {
        Assert.False(SegmentPlanner.TryFromCuts(120, 25, 3000, [], Defaults, out _));
        // Cuts too close to the start and to the end cannot bound a segment of at least 5 s.
        Assert.False(SegmentPlanner.TryFromCuts(120, 25, 3000, [1.5, 3, 117], Defaults, out _));
    }

    [Theory]
    [InlineData(95.0, 30.0, new[] { 30.0, 60, 90, 95 })]
    [InlineData(93.0, 30.0, new[] { 30.0, 60, 93 })]
    [InlineData(123.0, 60.0, new[] { 60.0, 91.5, 123 })]
    [InlineData(90.0, 30.0, new[] { 30.0, 60, 90 })]
    public void Fixed_length_segments_fold_a_short_tail_into_the_previous(double duration, double length, double[] expectedEnds)
    {
        var options = new SegmentationOptions { FixedSegmentSeconds = length };

        var segments = SegmentPlanner.FixedLength(duration, 25, (int)(duration * 25), options);

        Assert.Equal(expectedEnds, segments.Select(s => s.EndSeconds));
        AssertCovers(segments, duration, (int)(duration * 25), options);
    }

    [Fact]
    public void Frame_ranges_follow_the_times_and_end_at_the_frame_count()
    {
        Assert.True(SegmentPlanner.TryFromCuts(100, 25, 2500, [40.04, 70], Defaults, out var segments));

        Assert.Equal([(0, 1001), (1001, 1750), (1750, 2500)], segments.Select(s => (s.StartFrame, s.EndFrame)));
    }

    [Fact]
    public void The_whole_video_is_one_segment()
    {
        var segment = Assert.Single(SegmentPlanner.Whole(42.5, 30, 1275));

        Assert.Equal((0.0, 42.5, 0, 1275, SegmentBoundary.End), (segment.StartSeconds, segment.EndSeconds, segment.StartFrame, segment.EndFrame, segment.EndsAt));
    }

    [Theory]
    [InlineData(0.0, 5.0, 60.0, 30.0, "long-video limit")]
    [InlineData(60.0, 0.0, 60.0, 30.0, "minimum segment length")]
    [InlineData(60.0, 20.0, 30.0, 25.0, "at least twice the minimum")]
    [InlineData(60.0, 5.0, 60.0, 90.0, "fixed segment length")]
    public void Impossible_options_are_user_errors_naming_the_setting(double limit, double min, double max, double fixedLength, string expected)
    {
        var options = new SegmentationOptions { LongVideoSeconds = limit, MinSegmentSeconds = min, MaxSegmentSeconds = max, FixedSegmentSeconds = fixedLength };

        var error = Assert.Throws<UserInputException>(() => options.Validate());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    internal static void AssertCovers(IReadOnlyList<VideoSegment> segments, double duration, int frames, SegmentationOptions options)
    {
        Assert.NotEmpty(segments);
        Assert.Equal(0, segments[0].StartSeconds);
        Assert.Equal(0, segments[0].StartFrame);
        Assert.Equal(duration, segments[^1].EndSeconds, 6);
        Assert.Equal(frames, segments[^1].EndFrame);
        for (int i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            Assert.Equal(i, s.Index);
            Assert.InRange(s.DurationSeconds, options.MinSegmentSeconds - 1e-6, options.MaxSegmentSeconds + 1e-6);
            Assert.True(s.EndFrame > s.StartFrame, $"segment {i} has no frames");
            if (i > 0)
            {
                Assert.Equal(segments[i - 1].EndSeconds, s.StartSeconds);
                Assert.Equal(segments[i - 1].EndFrame, s.StartFrame);
            }
        }
    }
}
