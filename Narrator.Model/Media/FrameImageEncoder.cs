using SkiaSharp;

namespace Narrator.Model.Media;

public enum FrameImageFormat
{
    Jpeg,
    Png,
}

/// <summary>Encodes one decoded RGB24 frame as JPEG or PNG (thumbnails in the page, <c>narrator frames --out</c>).</summary>
public static class FrameImageEncoder
{
    /// <param name="frameNumber">Position in <paramref name="frames"/> (0..Count-1), not the source frame index.</param>
    /// <param name="maxWidth">Downscale to at most this width (keeping the aspect ratio); null keeps the model's size.</param>
    public static byte[] Encode(DecodedFrames frames, int frameNumber, FrameImageFormat format, int quality = 90, int? maxWidth = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frameNumber);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frameNumber, frames.Count);
        return Encode(frames.Frame(frameNumber), frames.Width, frames.Height, format, quality, maxWidth);
    }

    public static byte[] Encode(ReadOnlySpan<byte> rgb24, int width, int height, FrameImageFormat format, int quality = 90, int? maxWidth = null)
    {
        if (rgb24.Length != width * height * 3)
        {
            throw new ArgumentException($"{rgb24.Length} bytes is not one {width}x{height} RGB24 frame.", nameof(rgb24));
        }

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        for (int source = 0, target = 0; source < rgb24.Length; source += 3, target += 4)
        {
            pixels[target] = rgb24[source];
            pixels[target + 1] = rgb24[source + 1];
            pixels[target + 2] = rgb24[source + 2];
            pixels[target + 3] = 255;
        }

        var toEncode = bitmap;
        SKBitmap? resized = null;
        if (maxWidth is { } limit && limit > 0 && limit < width)
        {
            var resizedHeight = Math.Max(1, (int)Math.Round(height * (double)limit / width));
            resized = bitmap.Resize(new SKImageInfo(limit, resizedHeight, SKColorType.Rgba8888, SKAlphaType.Opaque),
                new SKSamplingOptions(SKCubicResampler.Mitchell));
            toEncode = resized;
        }

        try
        {
            using var data = toEncode.Encode(format == FrameImageFormat.Png ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, quality);
            return data.ToArray();
        }
        finally
        {
            resized?.Dispose();
        }
    }
}
