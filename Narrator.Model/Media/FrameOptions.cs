namespace Narrator.Model.Media;

/// <summary>How many frames to sample and how large; defaults are the Qwen-VL-Narrator ones.</summary>
public sealed record FrameOptions
{
    public const int NarratorMaxPixels = 784 * 441;

    public double Fps { get; init; } = 2.0;

    public int MinFrames { get; init; } = 16;

    public int MaxFrames { get; init; } = 96;

    /// <summary>Exact frame count; overrides fps/min/max when set.</summary>
    public int? NFrames { get; init; }

    /// <summary>Lower pixel bound per frame; null uses the Qwen default for the media kind.</summary>
    public int? MinPixels { get; init; }

    /// <summary>Upper pixel bound per frame; null uses the Qwen default for the media kind.</summary>
    public int? MaxPixels { get; init; } = NarratorMaxPixels;

    /// <summary>Lower pixel bound for a still; null uses the Qwen image default (4x28x28).</summary>
    public int? ImageMinPixels { get; init; }

    /// <summary>Upper pixel bound for a still; null uses the Qwen image default (16384x28x28), as the reference processor does.</summary>
    public int? ImageMaxPixels { get; init; }
}
