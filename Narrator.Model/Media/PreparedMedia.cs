using Narrator.Model.Vision;

namespace Narrator.Model.Media;

/// <summary>
/// Everything the model needs from one clip or still, produced on the CPU before the request joins the model queue:
/// the probe, the plan, the decoded frames (for thumbnails and remote engines) and the vision tensor.
/// </summary>
public sealed record PreparedMedia
{
    public required MediaProbe Probe { get; init; }

    public required FramePlan Plan { get; init; }

    public required DecodedFrames Frames { get; init; }

    /// <summary>Normalised, flattened patches: <c>[Grid.PatchCount, 1176]</c> row-major.</summary>
    public required float[] PixelValues { get; init; }

    public required GridThw Grid { get; init; }

    /// <summary>Non-fatal facts the person should know (e.g. fewer frames decoded than planned).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
