namespace Narrator.Model.Media;

/// <summary>Frames as decoded and scaled by ffmpeg: packed RGB24, frame after frame, row-major.</summary>
public sealed record DecodedFrames
{
    public required byte[] Rgb24 { get; init; }

    public required int Count { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    /// <summary>Source frame index of each decoded frame.</summary>
    public required int[] Indices { get; init; }

    /// <summary>Presentation time of each decoded frame in seconds.</summary>
    public required double[] TimestampsSeconds { get; init; }

    public int FrameBytes => Width * Height * 3;

    public ReadOnlySpan<byte> Frame(int i) => Rgb24.AsSpan(i * FrameBytes, FrameBytes);
}
