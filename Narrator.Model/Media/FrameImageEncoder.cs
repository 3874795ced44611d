using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Narrator.Model.Media;

public enum FrameImageFormat
{
    Jpeg,
    Png,
}

/// <summary>
/// Encodes one decoded RGB24 frame as JPEG or PNG (thumbnails in the page, frames for the OpenAI-compatible engine,
/// <c>narrator frames --out</c>). Encoding only: visitor files are decoded by ffmpeg, never by an image library here.
/// ImageSharp replaced SkiaSharp because it was 2-4x faster on this work (docs/BENCHMARKS.md, "Image encoding").
/// </summary>
public static class FrameImageEncoder
{
    private static readonly PngEncoder Png = new();

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
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);

        using var image = Image.LoadPixelData<Rgb24>(rgb24, width, height);
        if (maxWidth is { } limit && limit > 0 && limit < width)
        {
            var resizedHeight = Math.Max(1, (int)Math.Round(height * (double)limit / width));
            image.Mutate(x => x.Resize(limit, resizedHeight, KnownResamplers.MitchellNetravali));
        }

        using var output = new MemoryStream();
        if (format == FrameImageFormat.Png)
        {
            image.SaveAsPng(output, Png);
        }
        else
        {
            // 4:2:0 chroma, as the SkiaSharp encoder wrote before: a third smaller than 4:4:4 at no visible cost for frames.
            image.SaveAsJpeg(output, new JpegEncoder { Quality = quality, ColorType = JpegColorType.YCbCrRatio420 });
        }
        return output.ToArray();
    }
}
