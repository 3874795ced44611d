using Narrator.Model.Generation;
using Narrator.Model.Media;

namespace Narrator.Web.Services.Queue;

/// <summary>A validated request with everything resolved: the clip file, the final prompt text and the merged options.</summary>
public sealed record NarrationWork
{
    public required string ClipId { get; init; }

    /// <summary>The visitor's file name, shown in history; never used as a path.</summary>
    public required string ClipLabel { get; init; }

    /// <summary>Where the clip is on disk.</summary>
    public required string ClipPath { get; init; }

    /// <summary>Template id the prompt came from, or null for a free prompt.</summary>
    public string? TemplateId { get; init; }

    public required string Prompt { get; init; }

    public required FrameOptions Frames { get; init; }

    public required GenerationOptions Generation { get; init; }

    /// <summary>Visual tokens the frame plan will produce (for ETAs); 0 when unknown.</summary>
    public int EstimatedVisualTokens { get; init; }
}
