using Narrator.Model.Media;

namespace Narrator.Model.Tests.Media;

[Collection(SynthesisedClipsCollection.Name)]
public class StillImageTests(SynthesisedClips clips)
{
    private readonly MediaPreparer preparer = new(new MediaProber(SynthesisedClips.Tools), new FrameExtractor(SynthesisedClips.Tools));

    [Theory]
    [InlineData("still.jpg", "mjpeg")]
    [InlineData("still.webp", "webp")]
    [InlineData("still.bmp", "bmp")]
    public async Task A_still_is_one_frame_at_the_image_smart_resize_size(string file, string codec)
    {
        var prepared = await preparer.PrepareAsync(clips.In(file), new FrameOptions(), CancellationToken.None);

        Assert.Equal(MediaKind.Image, prepared.Probe.Kind);
        Assert.Equal(codec, prepared.Probe.VideoCodec);
        Assert.Equal((100, 75), (prepared.Probe.Width, prepared.Probe.Height));
        // smart_resize(75, 100) with the image bounds rounds each side to 28: 84 x 112.
        Assert.Equal((112, 84), (prepared.Plan.ResizedWidth, prepared.Plan.ResizedHeight));
        Assert.Equal(1, prepared.Frames.Count);
        Assert.Equal(new[] { 1, 6, 8 }, prepared.Grid.ToArray());
        Assert.Equal(prepared.Grid.PatchCount * 1176, prepared.PixelValues.Length);
        var pixels = prepared.Frames.Frame(0);
        Assert.InRange(pixels[pixels.Length / 2], 124, 132);
    }

    [Fact]
    public async Task Transparent_pixels_are_composited_on_white()
    {
        var prepared = await preparer.PrepareAsync(clips.AlphaPng, new FrameOptions(), CancellationToken.None);

        Assert.Equal("png", prepared.Probe.VideoCodec);
        var pixels = prepared.Frames.Frame(0);
        var middle = (prepared.Frames.Height / 2 * prepared.Frames.Width + prepared.Frames.Width / 2) * 3;
        // Half-transparent red over white: (255, ~128, ~128), not red over black (~128, 0, 0).
        Assert.InRange(pixels[middle], 250, 255);
        Assert.InRange(pixels[middle + 1], 120, 136);
        Assert.InRange(pixels[middle + 2], 120, 136);
    }

    [Fact]
    public async Task Image_pixel_bounds_can_be_overridden()
    {
        var options = new FrameOptions { ImageMinPixels = 200 * 28 * 28 };

        var prepared = await preparer.PrepareAsync(clips.Jpeg, options, CancellationToken.None);

        Assert.True(prepared.Plan.ResizedWidth * prepared.Plan.ResizedHeight >= 200 * 28 * 28);
    }
}
