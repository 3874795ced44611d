namespace Narrator.Model.Segmentation;

public enum SegmentationMethod
{
    /// <summary>Not longer than the limit: one segment, the whole video.</summary>
    Whole,

    Scenes,

    Fixed,
}

/// <summary>How a video was divided, in order, covering it without gaps or overlaps.</summary>
public sealed record VideoSegmentation
{
    public required SegmentationMethod Method { get; init; }

    public required IReadOnlyList<VideoSegment> Segments { get; init; }

    /// <summary>Scene cuts ffmpeg found (seconds from the first frame), whether used as boundaries or not; empty unless scenes were detected.</summary>
    public IReadOnlyList<SceneCut> Cuts { get; init; } = [];

    /// <summary>Facts worth telling the person (e.g. scene detection failed, fixed-length splitting used instead).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The lower-case name written into exports.</summary>
    public string MethodName => Method.ToName();
}
