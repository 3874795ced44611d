using Narrator.Model.Media;
using SkiaSharp;

namespace Narrator.Model.Engines;

/// <summary>Turns decoded RGB24 frames into JPEG bytes for engines that take images over the wire.</summary>
public static class FrameJpegEncoder
{
    /// <summary>Encodes frame <paramref name="index"/>, scaled down (bicubic) to at most <paramref name="maxPixels"/> when that is above 0.</summary>
    public static byte[] Encode(DecodedFrames frames, int index, int quality, int maxPixels = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, frames.Count);

        using var bitmap = new SKBitmap(new SKImageInfo(frames.Width, frames.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        ExpandRgbToRgba(frames.Frame(index), bitmap.GetPixelSpan());

        var (width, height) = FitWithin(frames.Width, frames.Height, maxPixels);
        if (width == frames.Width && height == frames.Height)
        {
            return EncodeJpeg(bitmap, quality);
        }
        using var scaled = bitmap.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), new SKSamplingOptions(SKCubicResampler.Mitchell));
        return EncodeJpeg(scaled, quality);
    }

    /// <summary>The largest size with the same aspect ratio whose area is at most <paramref name="maxPixels"/> (0 = unchanged).</summary>
    public static (int Width, int Height) FitWithin(int width, int height, int maxPixels)
    {
        if (maxPixels <= 0 || (long)width * height <= maxPixels)
        {
            return (width, height);
        }
        double scale = Math.Sqrt(maxPixels / ((double)width * height));
        return (Math.Max(1, (int)(width * scale)), Math.Max(1, (int)(height * scale)));
    }

    private static byte[] EncodeJpeg(SKBitmap bitmap, int quality)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    private static void ExpandRgbToRgba(ReadOnlySpan<byte> rgb, Span<byte> rgba)
    {
        for (int src = 0, dst = 0; src < rgb.Length; src += 3, dst += 4)
        {
            rgba[dst] = rgb[src];
            rgba[dst + 1] = rgb[src + 1];
            rgba[dst + 2] = rgb[src + 2];
            rgba[dst + 3] = 255;
        }
    }
}
