using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Templates;

namespace Narrator.Web.Services.Queue;

/// <summary>A validated request with everything resolved: the clip file, the final prompt text and the merged options.</summary>
public sealed record NarrationWork
{
    public required string ClipId { get; init; }

    /// <summary>The visitor's file name, shown in history; never used as a path.</summary>
    public required string ClipLabel { get; init; }

    /// <summary>Where the clip is on disk.</summary>
    public required string ClipPath { get; init; }

    /// <summary>The template the prompt came from (its output kind decides how a segment's text is read), or null for a free prompt.</summary>
    public PromptTemplate? Template { get; init; }

    public string? TemplateId => Template?.Id;

    /// <summary>The probe taken when the clip was uploaded; null when unknown (tests).</summary>
    public MediaProbe? Probe { get; init; }

    public required string Prompt { get; init; }

    public required FrameOptions Frames { get; init; }

    public required GenerationOptions Generation { get; init; }

    /// <summary>Visual tokens the frame plan will produce (for ETAs; per segment for a long video); 0 when unknown.</summary>
    public int EstimatedVisualTokens { get; init; }

    /// <summary>How the clip is split when it is longer than the long-video limit; null narrates it whole.</summary>
    public SegmentationOptions? Segmentation { get; init; }

    /// <summary>Segments the narration is expected to take (for ETAs); 1 for a clip narrated whole.</summary>
    public int EstimatedSegments { get; init; } = 1;

    /// <summary>A message from the media tools with the stored file's path or name replaced by the visitor's label.</summary>
    public string InVisitorTerms(string message) => Clips.ClipLabels.InMessage(message, ClipPath, ClipLabel);
}
