using Narrator.Model.Media;

namespace Narrator.Model.Tests.Media;

/// <summary>Frame selection proven on real decodes: every extracted frame must be the planned source frame.</summary>
[Collection(SynthesisedClipsCollection.Name)]
public class FrameExtractionTests(SynthesisedClips clips)
{
    private static readonly FrameOptions TwelveFrames = new() { Fps = 10, MinFrames = 4, MaxFrames = 96 };

    private readonly MediaProber prober = new(SynthesisedClips.Tools);
    private readonly FrameExtractor extractor = new(SynthesisedClips.Tools);

    public static TheoryData<string> Clips => new() { "h264.mp4", "mpeg2.mpg", "mjpeg.avi", "vp9.webm", "odd-333x199.mp4" };

    [Theory]
    [MemberData(nameof(Clips))]
    public async Task Extracted_frames_are_exactly_the_planned_source_frames(string clip)
    {
        var path = clips.In(clip);
        var probe = await prober.ProbeAsync(path, CancellationToken.None);
        var plan = FramePlanner.Plan(probe, TwelveFrames);

        var frames = await extractor.ExtractAsync(path, probe, plan, CancellationToken.None);

        Assert.Equal(12, plan.NFrames);
        Assert.Equal(plan.NFrames, frames.Count);
        Assert.Equal(plan.Indices, frames.Indices);
        Assert.Equal((plan.ResizedWidth, plan.ResizedHeight), (frames.Width, frames.Height));
        var decoded = Enumerable.Range(0, frames.Count).Select(i => SynthesisedClips.FrameNumberOf(frames.Frame(i))).ToArray();
        Assert.Equal(plan.Indices, decoded);
    }

    [Fact]
    public async Task Keyframe_stand_ins_come_one_per_asked_position_up_to_the_clips_last_frame()
    {
        var probe = await prober.ProbeAsync(clips.H264Mp4, CancellationToken.None);
        var plan = FramePlanner.Plan(probe, TwelveFrames);
        int[] positions = [0, plan.NFrames / 2, plan.NFrames - 1];

        var frames = await extractor.ExtractKeyframesNearAsync(clips.H264Mp4, probe, plan, positions, CancellationToken.None);

        Assert.Equal(positions.Length, frames.Count);
        Assert.Equal(positions.Select(p => plan.Indices[p]), frames.Indices);
        // Each picture is a keyframe at or before its planned frame.
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.InRange(SynthesisedClips.FrameNumberOf(frames.Frame(i)), 0, frames.Indices[i]);
        }
    }

    [Theory]
    [InlineData(null, 16)]
    [InlineData(6, 6)]
    [InlineData(30, 30)]
    public async Task Default_and_exact_frame_counts_select_the_linspace_indices(int? nframes, int expected)
    {
        var probe = await prober.ProbeAsync(clips.H264Mp4, CancellationToken.None);
        var plan = FramePlanner.Plan(probe, new FrameOptions { NFrames = nframes });

        var frames = await extractor.ExtractAsync(clips.H264Mp4, probe, plan, CancellationToken.None);

        Assert.Equal(expected, frames.Count);
        Assert.Equal(FramePlanner.SampleIndices(SynthesisedClips.Frames, expected), frames.Indices);
        Assert.Equal(frames.Indices, Enumerable.Range(0, frames.Count).Select(i => SynthesisedClips.FrameNumberOf(frames.Frame(i))));
        Assert.Equal(frames.Indices.Select(i => i / (double)SynthesisedClips.Fps), frames.TimestampsSeconds);
    }

    [Theory]
    [InlineData("mpeg2.mpg")]
    [InlineData("vp9.webm")]
    public async Task A_clip_without_a_frame_count_is_estimated_from_duration_and_fps(string clip)
    {
        var probe = await prober.ProbeAsync(clips.In(clip), CancellationToken.None);

        Assert.True(probe.FrameCountEstimated);
        Assert.Equal(SynthesisedClips.Frames, probe.FrameCount);
        Assert.Equal(SynthesisedClips.Fps, probe.AverageFps, 1e-9);
    }

    [Fact]
    public async Task A_clip_with_a_frame_count_in_its_header_is_not_an_estimate()
    {
        var probe = await prober.ProbeAsync(clips.H264Mp4, CancellationToken.None);

        Assert.Equal(MediaKind.Video, probe.Kind);
        Assert.False(probe.FrameCountEstimated);
        Assert.Equal(SynthesisedClips.Frames, probe.FrameCount);
        Assert.Equal("h264", probe.VideoCodec);
        Assert.Equal((320, 240), (probe.Width, probe.Height));
        Assert.Equal(1.2, probe.DurationSeconds, 1e-6);
        Assert.False(probe.HasAudio);
    }

    [Fact]
    public async Task A_rotated_phone_clip_comes_out_upright_in_display_orientation()
    {
        var probe = await prober.ProbeAsync(clips.RotatedMp4, CancellationToken.None);
        var plan = FramePlanner.Plan(probe, TwelveFrames);

        var frames = await extractor.ExtractAsync(clips.RotatedMp4, probe, plan, CancellationToken.None);

        Assert.Equal(90, probe.Rotation);
        Assert.Equal((240, 320), (probe.Width, probe.Height));
        Assert.True(plan.ResizedHeight > plan.ResizedWidth, $"planned {plan.ResizedWidth}x{plan.ResizedHeight} should be portrait");
        Assert.Equal(plan.NFrames, frames.Count);
        for (var i = 0; i < frames.Count; i++)
        {
            // The stored top half (which carries the frame number) is displayed on the left once the matrix is applied.
            var (left, right) = Halves(frames.Frame(i), frames.Width, frames.Height);
            Assert.Equal(plan.Indices[i], SynthesisedClips.FrameNumberOf(left));
            Assert.True(Mean(right) < 8, $"frame {i}: the right half should be black, mean {Mean(right):0.0}");
        }
    }

    [Fact]
    public async Task A_file_shorter_than_its_header_yields_the_frames_that_decoded_and_a_warning()
    {
        var preparer = new MediaPreparer(prober, extractor);
        var probe = await prober.ProbeAsync(clips.CutShortMp4, CancellationToken.None);
        var planned = FramePlanner.Plan(probe, TwelveFrames);

        var prepared = await preparer.PrepareAsync(clips.CutShortMp4, probe, TwelveFrames, CancellationToken.None);

        Assert.InRange(prepared.Frames.Count, 1, planned.NFrames - 1);
        Assert.Equal(planned.Indices[..prepared.Frames.Count], prepared.Frames.Indices);
        // Only the top half carries the frame number here; stop short of the middle where scaling blends in the noise.
        var topBytes = prepared.Frames.Width * 3 * (prepared.Frames.Height / 2 - 8);
        Assert.Equal(prepared.Frames.Indices,
            Enumerable.Range(0, prepared.Frames.Count).Select(i => SynthesisedClips.FrameNumberOf(prepared.Frames.Frame(i)[..topBytes])));
        var warning = Assert.Single(prepared.Warnings);
        Assert.Contains($"Only {prepared.Frames.Count} of the {planned.NFrames} planned frames", warning);
        Assert.Equal(prepared.Grid, prepared.Plan.Grid);
        Assert.Equal(prepared.Frames.Count, prepared.Plan.NFrames);
        Assert.Equal(prepared.Grid.PatchCount * 1176, prepared.PixelValues.Length);
    }

    [Fact]
    public async Task A_truncated_avi_is_planned_on_what_its_duration_shows_and_decodes_the_right_frames()
    {
        var preparer = new MediaPreparer(prober, extractor);

        var prepared = await preparer.PrepareAsync(clips.TruncatedAvi, new FrameOptions { NFrames = 6 }, CancellationToken.None);

        // The header still says 30 frames; the index that survived holds about half.
        Assert.True(prepared.Probe.FrameCountEstimated);
        Assert.InRange(prepared.Probe.FrameCount, 2, 20);
        Assert.InRange(prepared.Frames.Count, 1, 6);
        Assert.Equal(FramePlanner.SampleIndices(prepared.Probe.FrameCount, 6)[..prepared.Frames.Count], prepared.Frames.Indices);
        Assert.Equal(prepared.Frames.Indices,
            Enumerable.Range(0, prepared.Frames.Count).Select(i => SynthesisedClips.FrameNumberOf(prepared.Frames.Frame(i))));
        Assert.Equal(prepared.Frames.Count < 6 ? 1 : 0, prepared.Warnings.Count);
    }

    [Fact]
    public async Task Prepared_media_holds_the_plan_frames_and_matching_tensor()
    {
        var preparer = new MediaPreparer(prober, extractor);

        var prepared = await preparer.PrepareAsync(clips.H264Mp4, new FrameOptions(), CancellationToken.None);

        Assert.Empty(prepared.Warnings);
        Assert.Equal(prepared.Plan.Grid, prepared.Grid);
        Assert.Equal(new[] { 8, 20, 28 }, prepared.Grid.ToArray());
        Assert.Equal(prepared.Grid.PatchCount * 1176, prepared.PixelValues.Length);
        Assert.Equal(16, prepared.Frames.Count);
    }

    [Fact]
    public async Task A_plan_made_earlier_is_decoded_as_given_without_planning_again()
    {
        var preparer = new MediaPreparer(prober, extractor);
        var probe = await prober.ProbeAsync(clips.H264Mp4, CancellationToken.None);
        var admitted = FramePlanner.Plan(probe, new FrameOptions { NFrames = 4 });

        var prepared = await preparer.PrepareAsync(clips.H264Mp4, probe, admitted, CancellationToken.None);

        Assert.Same(admitted, prepared.Plan);
        Assert.Equal(admitted.Indices, prepared.Frames.Indices);
    }

    [Fact]
    public async Task Cancelling_stops_the_extraction()
    {
        var probe = await prober.ProbeAsync(clips.H264Mp4, CancellationToken.None);
        var plan = FramePlanner.Plan(probe, new FrameOptions());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => extractor.ExtractAsync(clips.H264Mp4, probe, plan, cancelled.Token));
    }

    private static (byte[] Left, byte[] Right) Halves(ReadOnlySpan<byte> frame, int width, int height)
    {
        // Leave a margin around the middle column where bicubic scaling blends the two halves.
        var margin = width / 8;
        var left = new List<byte>();
        var right = new List<byte>();
        for (var y = 0; y < height; y++)
        {
            var row = frame.Slice(y * width * 3, width * 3);
            left.AddRange(row[..((width / 2 - margin) * 3)]);
            right.AddRange(row[((width / 2 + margin) * 3)..]);
        }
        return (left.ToArray(), right.ToArray());
    }

    private static double Mean(byte[] bytes) => bytes.Average(b => (double)b);
}
