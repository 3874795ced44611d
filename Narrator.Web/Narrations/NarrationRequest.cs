using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Templates;

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

    /// <summary>
    /// Field-by-field overrides (added by serving): any field set here wins over <see cref="Frames"/>/<see cref="Generation"/>
    /// and the template's defaults; fields left null keep them. Same names as the HTTP API (maxNewTokens, fps, ...).
    /// </summary>
    public TemplateOptions? Options { get; init; }

    /// <summary>Every override the request makes, as one layer: <see cref="Options"/> over <see cref="Frames"/>/<see cref="Generation"/>.</summary>
    public TemplateOptions Overrides() => (Options ?? TemplateOptions.None).Over(TemplateOptions.From(Frames, Generation));

    /// <summary>
    /// How a video longer than the server's long-video limit is split: "scenes" (default; on scene cuts) or "fixed"
    /// (equal-length segments). Shorter clips are narrated whole either way.
    /// </summary>
    public string? Split { get; init; }

    /// <summary>
    /// Which dialogue goes into the prompt: "auto" (default: the attached subtitle file, else the clip's default text
    /// stream), "off", "file", "stream:N" — or the text of an .srt/.vtt file itself.
    /// </summary>
    public string? Subtitles { get; init; }

    /// <summary>Language codes to translate the narration into once it has completed (queued as one more request).</summary>
    public IReadOnlyList<string>? Translate { get; init; }
}
