using Narrator.Model.Generation;
using Narrator.Model.Media;

namespace Narrator.Web.Services.Workspaces;

/// <summary>
/// Where a visitor left the page: the clip on show, the template, prompt and settings, and the narration on screen.
/// Kept per visitor on the server, so a reload, another tab or a server restart opens the page where they were.
/// </summary>
public sealed record VisitorWorkspace
{
    public string? ClipId { get; init; }

    public string? TemplateId { get; init; }

    /// <summary>The prompt as edited (null: the template's own).</summary>
    public string? Prompt { get; init; }

    public FrameOptions? Frames { get; init; }

    public GenerationOptions? Generation { get; init; }

    /// <summary>True when the settings were changed by hand (a template switch then keeps them).</summary>
    public bool SettingsEdited { get; init; }

    /// <summary>"scenes" or "fixed" when the visitor picked how a long clip is split.</summary>
    public string? Split { get; init; }

    /// <summary>The narration on screen: a running one is re-attached to, an ended one is read from the history.</summary>
    public string? NarrationId { get; init; }

    /// <summary>The subtitle choice ("auto", "off", "file", "stream:N"); null for the default.</summary>
    public string? Subtitles { get; init; }
}
