using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Templates;

namespace Narrator.Model.Segmentation;

/// <summary>One video (or still) to narrate, segment by segment when it is long.</summary>
public sealed record TimedNarrationRequest
{
    public required string Path { get; init; }

    /// <summary>The name exports show for the video (an upload's label, or the file name).</summary>
    public required string Video { get; init; }

    /// <summary>The probe when the caller already has one (uploads are probed on arrival); probed here otherwise.</summary>
    public MediaProbe? Probe { get; init; }

    public required string Prompt { get; init; }

    /// <summary>The dialogue: each segment's prompt gets the lines on screen during it (see <see cref="Subtitles.SubtitlePrompt"/>).</summary>
    public Subtitles.SubtitleTrack? Subtitles { get; init; }

    public string? Template { get; init; }

    /// <summary>How each segment's frames are sampled and how the model writes (Narrator's defaults unless set).</summary>
    public NarrationOptions Options { get; init; } = new(new FrameOptions(), new GenerationOptions());

    public SegmentationOptions Segmentation { get; init; } = new();

    /// <summary>How the video divides when the caller already knows (a server splits long uploads as they arrive); split here otherwise.</summary>
    public VideoSegmentation? KnownSegmentation { get; init; }

    /// <summary>Fills tags or JSON from a segment's text as the template's output kind says; null leaves the text alone.</summary>
    public Func<NarrationSegment, NarrationSegment>? Finish { get; init; }
}

/// <summary>The narration plus what it took: the probe, how the video was divided, each segment's frame plan, and times.</summary>
public sealed record TimedNarrationResult
{
    public required TimedNarration Narration { get; init; }

    public required MediaProbe Probe { get; init; }

    public required VideoSegmentation Segmentation { get; init; }

    /// <summary>The frame plan of each segment, in order (null for a segment that failed before planning finished).</summary>
    public required IReadOnlyList<FramePlan?> Plans { get; init; }

    public double ProbeMilliseconds { get; init; }

    public double SegmentMilliseconds { get; init; }

    public double PrepareMilliseconds { get; init; }

    public double GenerateMilliseconds { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];
}
