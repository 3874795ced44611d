using Narrator.Model.Media;

namespace Narrator.Web.Services.Clips;

/// <summary>
/// Thumbnails just written for a clip: the plan (cut to what decoded), each thumbnail's time, the source indices of
/// keyframe stand-ins (null when they are the plan's own frames), whether they are exact, and the damaged-file sentence.
/// </summary>
public sealed record FrameStrip(FramePlan Plan, double[] Timestamps, int[]? Indices, bool Exact, string? DecodeWarning)
{
    /// <summary><paramref name="clip"/> showing this strip as frames version <paramref name="version"/>.</summary>
    public StoredClip ShownBy(StoredClip clip, int version) => clip with
    {
        Plan = Plan, FrameTimestamps = Timestamps, FrameIndices = Indices, FramesExact = Exact, DecodeWarning = DecodeWarning,
        FramesVersion = version,
    };
}
