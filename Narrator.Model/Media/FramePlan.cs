using Narrator.Model.Vision;

namespace Narrator.Model.Media;

/// <summary>Which frames the model will see and at what size. For a still: one frame, repeated twice when patched.</summary>
public sealed record FramePlan
{
    public required MediaKind Kind { get; init; }

    public required int NFrames { get; init; }

    /// <summary>Source frame indices to keep, ascending.</summary>
    public required int[] Indices { get; init; }

    public double SampleFps { get; init; }

    /// <summary>Seconds covered by one temporal patch group (2 / sample fps); drives the M-RoPE time axis.</summary>
    public double SecondPerGridT { get; init; }

    public required int ResizedWidth { get; init; }

    public required int ResizedHeight { get; init; }

    public required GridThw Grid { get; init; }

    public int VisualTokens => Grid.VisualTokens;
}
