using System.ComponentModel;

namespace Narrator.Web.Api;

/// <summary>
/// Body of <c>POST /api/narrations</c>: a clip, a template id and/or a prompt, and optional overrides of the
/// template's generation and frame options (anything left out keeps the template's, or Narrator's, default).
/// </summary>
public sealed record StartNarrationBody
{
    [Description("Id returned by POST /api/clips.")]
    public string? ClipId { get; init; }

    [Description("Template id from GET /api/templates.")]
    public string? Template { get; init; }

    [Description("A free prompt; replaces the template's prompt text when both are given.")]
    public string? Prompt { get; init; }

    public int? MaxNewTokens { get; init; }

    [Description("0 = greedy.")]
    public float? Temperature { get; init; }

    public float? TopP { get; init; }

    public int? TopK { get; init; }

    public float? RepetitionPenalty { get; init; }

    public int? Seed { get; init; }

    [Description("Frames sampled per second of video.")]
    public double? Fps { get; init; }

    public int? MinFrames { get; init; }

    public int? MaxFrames { get; init; }

    [Description("Exact frame count; overrides fps/min/max.")]
    public int? NFrames { get; init; }

    public int? MinPixels { get; init; }

    public int? MaxPixels { get; init; }

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
