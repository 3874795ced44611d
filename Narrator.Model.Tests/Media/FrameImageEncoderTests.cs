using Narrator.Model.Media;
using SkiaSharp;

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

        using var decoded = SKBitmap.Decode(FrameImageEncoder.Encode(frames, 0, FrameImageFormat.Png));

        Assert.Equal((56, 28), (decoded.Width, decoded.Height));
        for (var i = 0; i < 56 * 28; i += 97)
        {
            var pixel = decoded.GetPixel(i % 56, i / 56);
            Assert.Equal((frames.Rgb24[i * 3], frames.Rgb24[i * 3 + 1], frames.Rgb24[i * 3 + 2]), (pixel.Red, pixel.Green, pixel.Blue));
        }
    }

    [Fact]
    public void Jpeg_thumbnail_is_scaled_to_the_maximum_width()
    {
        var bytes = FrameImageEncoder.Encode(TwoFrames(), 1, FrameImageFormat.Jpeg, quality: 80, maxWidth: 28);

        Assert.Equal([0xFF, 0xD8], bytes[..2]);
        using var decoded = SKBitmap.Decode(bytes);
        Assert.Equal((28, 14), (decoded.Width, decoded.Height));
        Assert.InRange(decoded.GetPixel(14, 7).Red, 72, 82);
    }

    [Fact]
    public void A_frame_number_past_the_decoded_count_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameImageEncoder.Encode(TwoFrames(), 2, FrameImageFormat.Png));
    }
}
