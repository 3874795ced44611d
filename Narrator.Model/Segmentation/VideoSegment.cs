namespace Narrator.Model.Segmentation;

/// <summary>Why a segment ends where it does.</summary>
public enum SegmentBoundary
{
    /// <summary>At a detected scene cut.</summary>
    SceneCut,

    /// <summary>Inside a scene (or anywhere, in fixed mode) to respect the maximum length.</summary>
    Split,

    /// <summary>At the end of the video.</summary>
    End,
}

/// <summary>A stretch of a video narrated on its own: seconds from the first frame, and the source frames it covers.</summary>
public sealed record VideoSegment
{
    /// <summary>0-based position; people see it as "segment Index+1 of n".</summary>
    public required int Index { get; init; }

    public required double StartSeconds { get; init; }

    public required double EndSeconds { get; init; }

    /// <summary>First source frame (0-based) in the segment.</summary>
    public required int StartFrame { get; init; }

    /// <summary>One past the last source frame in the segment.</summary>
    public required int EndFrame { get; init; }

    public required SegmentBoundary EndsAt { get; init; }

    public double DurationSeconds => EndSeconds - StartSeconds;

    public int FrameCount => EndFrame - StartFrame;

    /// <summary>This stretch as a narration segment with nothing narrated yet (a plan to show before the text arrives).</summary>
    public Exports.NarrationSegment ToPlanned() => new()
    {
        Index = Index,
        StartSeconds = StartSeconds,
        EndSeconds = EndSeconds,
        StartFrame = StartFrame,
        EndFrame = EndFrame,
    };

    public override string ToString() => $"#{Index} {StartSeconds:0.###}-{EndSeconds:0.###} s [{StartFrame},{EndFrame}) ends at {EndsAt}";
}
