namespace Narrator.Model.Media;

public enum MediaKind
{
    Video,
    Image,
}

/// <summary>What ffprobe says about a file, reduced to what planning and the UI need.</summary>
public sealed record MediaProbe
{
    public required MediaKind Kind { get; init; }

    /// <summary>Container format name as ffprobe reports it (e.g. "mov,mp4,m4a,3gp,3g2,mj2", "avi", "image2").</summary>
    public required string Container { get; init; }

    public required string VideoCodec { get; init; }

    /// <summary>Width and height as displayed, i.e. after applying the rotation.</summary>
    public required int Width { get; init; }

    public required int Height { get; init; }

    /// <summary>Display aspect ratio as "16:9", or null when the file does not say.</summary>
    public string? DisplayAspectRatio { get; init; }

    /// <summary>Rotation in degrees from the stream's display matrix (0, 90, 180, 270).</summary>
    public int Rotation { get; init; }

    public double AverageFps { get; init; }

    public double DurationSeconds { get; init; }

    public int FrameCount { get; init; }

    /// <summary>
    /// True when <see cref="FrameCount"/> is duration x fps: the container has no frame count, or states clearly more
    /// frames than its duration holds (a truncated file).
    /// </summary>
    public bool FrameCountEstimated { get; init; }

    public bool HasAudio { get; init; }
}
