using Narrator.Model.Media;
using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Generation;

/// <summary>Prepared media built from random RGB frames through the real patch builder (no ffmpeg needed).</summary>
internal static class SyntheticMedia
{
    public static PreparedMedia Video(int frames = 4, int width = 112, int height = 84, int seed = 1, Action<byte[], int>? editFrames = null)
    {
        var random = new Random(seed);
        var rgb = new byte[frames * width * height * 3];
        random.NextBytes(rgb);
        editFrames?.Invoke(rgb, width * height * 3);
        var decoded = new DecodedFrames
        {
            Rgb24 = rgb,
            Count = frames,
            Width = width,
            Height = height,
            Indices = [.. Enumerable.Range(0, frames).Select(i => i * 12)],
            TimestampsSeconds = [.. Enumerable.Range(0, frames).Select(i => i * 0.5)],
        };
        var (pixels, grid) = PatchBuilder.Build(decoded);
        return new PreparedMedia
        {
            Probe = new MediaProbe
            {
                Kind = MediaKind.Video,
                Container = "synthetic",
                VideoCodec = "rawvideo",
                Width = width,
                Height = height,
                AverageFps = 24,
                DurationSeconds = frames * 0.5,
                FrameCount = frames * 12,
            },
            Plan = new FramePlan
            {
                Kind = MediaKind.Video,
                NFrames = frames,
                Indices = decoded.Indices,
                SampleFps = 2,
                SecondPerGridT = 1.0,
                ResizedWidth = width,
                ResizedHeight = height,
                Grid = grid,
            },
            Frames = decoded,
            PixelValues = pixels,
            Grid = grid,
        };
    }
}
