using Narrator.Model.Media;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Narrator.Model.Tests.Media;

public class FrameImageEncoderTests
{
    private static DecodedFrames TwoFrames()
    {
        const int width = 56, height = 28;
        var rgb = new byte[2 * width * height * 3];
        for (var i = 0; i < width * height; i++)
        {
            (rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]) = ((byte)(i % 256), 10, 200);
        }
        rgb.AsSpan(width * height * 3).Fill(77);
        return new DecodedFrames { Rgb24 = rgb, Count = 2, Width = width, Height = height, Indices = [0, 5], TimestampsSeconds = [0, 0.2] };
    }

    [Fact]
    public void Png_round_trips_the_exact_pixels()
    {
        var frames = TwoFrames();

        var png = FrameImageEncoder.Encode(frames, 0, FrameImageFormat.Png);

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        using var decoded = Image.Load<Rgb24>(png);
        Assert.Equal((56, 28), (decoded.Width, decoded.Height));
        for (var i = 0; i < 56 * 28; i += 97)
        {
            var pixel = decoded[i % 56, i / 56];
            Assert.Equal((frames.Rgb24[i * 3], frames.Rgb24[i * 3 + 1], frames.Rgb24[i * 3 + 2]), (pixel.R, pixel.G, pixel.B));
        }
    }

    [Fact]
    public void Jpeg_thumbnail_is_scaled_to_the_maximum_width()
    {
        var bytes = FrameImageEncoder.Encode(TwoFrames(), 1, FrameImageFormat.Jpeg, quality: 80, maxWidth: 28);

        Assert.Equal([0xFF, 0xD8], bytes[..2]);
        using var decoded = Image.Load<Rgb24>(bytes);
        Assert.Equal((28, 14), (decoded.Width, decoded.Height));
        Assert.InRange(decoded[14, 7].R, 72, 82);
    }

    [Fact]
    public void Jpeg_keeps_the_colours_of_a_frame_at_the_models_size()
    {
        var bytes = FrameImageEncoder.Encode(TwoFrames(), 0, FrameImageFormat.Jpeg, quality: 90);

        using var decoded = Image.Load<Rgb24>(bytes);
        Assert.Equal((56, 28), (decoded.Width, decoded.Height));
        var pixel = decoded[40, 20];
        Assert.InRange(pixel.G, 0, 30);
        Assert.InRange(pixel.B, 185, 215);
    }

    [Fact]
    public void A_buffer_that_is_not_one_frame_is_rejected_with_its_size()
    {
        var error = Assert.Throws<ArgumentException>(() => FrameImageEncoder.Encode(new byte[10], 2, 2, FrameImageFormat.Jpeg));
        Assert.StartsWith("10 bytes is not one 2x2 RGB24 frame.", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void A_jpeg_quality_outside_1_to_100_is_rejected(int quality)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameImageEncoder.Encode(TwoFrames(), 0, FrameImageFormat.Jpeg, quality));
    }

    [Fact]
    public void A_frame_number_past_the_decoded_count_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameImageEncoder.Encode(TwoFrames(), 2, FrameImageFormat.Png));
    }
}
