using Narrator.Model.Media;

namespace Narrator.Model.Tests.Media;

public class FramePlannerTests
{
    [Theory]
    [InlineData(5, 4)]
    [InlineData(7, 8)]
    [InlineData(6, 6)]
    public void Exact_nframes_rounds_half_to_even_like_python(int asked, int expected)
    {
        Assert.Equal(expected, FramePlanner.SmartNFrames(100, 25, new FrameOptions { NFrames = asked }));
    }

    [Fact]
    public void Frame_count_is_clamped_to_the_clip_and_floored_to_even()
    {
        // 9 frames at 2 fps of a 1 fps clip wants 18; clamped to 9 frames, floored to 8.
        Assert.Equal(8, FramePlanner.SmartNFrames(9, 1, new FrameOptions { MinFrames = 4 }));
    }

    [Fact]
    public void Indices_are_first_to_last_frame_ascending()
    {
        var indices = FramePlanner.SampleIndices(1441, 96);

        Assert.Equal(0, indices[0]);
        Assert.Equal(1440, indices[^1]);
        Assert.True(indices.Zip(indices.Skip(1)).All(p => p.First < p.Second));
    }

    [Fact]
    public void A_long_clip_shares_the_total_pixel_budget_across_frames()
    {
        var plan = FramePlanner.PlanVideo(100_000, 25, 1920, 1080, new FrameOptions { MaxFrames = 768, MaxPixels = null, Fps = 8 });

        Assert.Equal(768, plan.NFrames);
        // total_pixels / 768 * 2 = 235200 caps the frame below the 602112 video maximum.
        Assert.True(plan.ResizedWidth * plan.ResizedHeight <= 235_200);
    }

    [Fact]
    public void A_still_plans_one_frame_and_one_temporal_group()
    {
        var plan = FramePlanner.PlanImage(640, 480, new FrameOptions());

        Assert.Equal(MediaKind.Image, plan.Kind);
        Assert.Equal([0], plan.Indices);
        Assert.Equal((644, 476), (plan.ResizedWidth, plan.ResizedHeight));
        Assert.Equal(1, plan.Grid.T);
    }

    public static TheoryData<FrameOptions, string> ImpossibleOptions => new()
    {
        { new FrameOptions { Fps = 0 }, "fps must be a positive number" },
        { new FrameOptions { MinFrames = 40, MaxFrames = 20 }, "min-frames (40) is larger than max-frames (20)" },
        { new FrameOptions { MaxFrames = 1000 }, "At most 768 frames" },
        { new FrameOptions { NFrames = 1 }, "nframes must be at least 2" },
        { new FrameOptions { MaxPixels = 100 }, "max-pixels must be at least 784" },
        { new FrameOptions { MinPixels = 400_000, MaxPixels = 300_000 }, "min-pixels (400000) is larger than max-pixels (300000)" },
    };

    [Theory]
    [MemberData(nameof(ImpossibleOptions))]
    public void Impossible_options_are_a_user_error_naming_the_option(FrameOptions options, string expected)
    {
        var error = Assert.Throws<UserInputException>(() => FramePlanner.PlanVideo(300, 30, 640, 480, options));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_one_frame_video_cannot_be_sampled()
    {
        Assert.Throws<MediaException>(() => FramePlanner.PlanVideo(1, 25, 640, 480, new FrameOptions()));
    }
}
