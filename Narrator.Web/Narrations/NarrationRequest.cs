using Narrator.Model.Generation;
using Narrator.Model.Media;

namespace Narrator.Web.Narrations;

/// <summary>What a visitor asks for: a clip, a template id or a free prompt (or both: the prompt overrides the template's text), and options.</summary>
public sealed record NarrationRequest
{
    public required string ClipId { get; init; }

    public string? Template { get; init; }

    public string? Prompt { get; init; }

    /// <summary>Frame sampling overrides; null keeps the template's (or Narrator's) defaults.</summary>
    public FrameOptions? Frames { get; init; }

    /// <summary>Generation overrides; null keeps the template's (or Narrator's) defaults.</summary>
    public GenerationOptions? Generation { get; init; }
}
