using System.ComponentModel;
using Narrator.Model.Templates;

namespace Narrator.Web.Api;

/// <summary>
/// Body of <c>POST /api/narrations</c>: a clip, a template id and/or a prompt, and optional overrides of the
/// template's generation and frame options (anything left out keeps the template's, or Narrator's, default). The
/// overrides are the option layer itself, so a setting declared there is a field here with no further edit.
/// </summary>
public sealed record StartNarrationBody : TemplateOptions
{
    public StartNarrationBody()
    {
    }

    /// <summary>A body carrying <paramref name="overrides"/>' settings; the request's other fields are set with an initializer.</summary>
    public StartNarrationBody(TemplateOptions overrides)
        : base(overrides)
    {
    }

    [Description("Id returned by POST /api/clips.")]
    public string? ClipId { get; init; }

    [Description("Template id from GET /api/templates.")]
    public string? Template { get; init; }

    [Description("A free prompt; replaces the template's prompt text when both are given.")]
    public string? Prompt { get; init; }

    [Description("How a video longer than the long-video limit (60 s by default) is split: \"scenes\" (default) or \"fixed\".")]
    public string? Split { get; init; }

    [Description("Dialogue for the prompt: \"auto\" (default: the attached subtitle file, else the clip's default text stream), \"off\", \"file\", \"stream:N\", or the text of an .srt/.vtt file.")]
    public string? Subtitles { get; init; }

    [Description("Language codes (e.g. [\"fr\",\"es\"]) to translate the narration into once it has completed; the completed event names the translation's id.")]
    public string[]? Translate { get; init; }
}

/// <summary>Body of <c>POST /api/narrations/{id}/translations</c>.</summary>
public sealed record TranslateNarrationBody
{
    [Description("Language codes to translate into, e.g. [\"fr\",\"es\"] (at most 5).")]
    public string[]? Languages { get; init; }
}

/// <summary>Answer of <c>POST /api/narrations/{id}/translations</c>: the translation request's id and where to follow it.</summary>
public sealed record TranslationAccepted(string Id, string NarrationId, IReadOnlyList<string> Languages, string EventsUrl, string StatusUrl);

/// <summary>Answer of <c>POST /api/narrations</c>.</summary>
public sealed record NarrationAccepted(string Id, string EventsUrl, string StatusUrl);
