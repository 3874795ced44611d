using Narrator.Model.Media;
using Narrator.Model.Subtitles;

namespace Narrator.Web.Narrations;

/// <summary>
/// An uploaded clip as the page and API clients see it: what it is, the frames the model will see, where to watch it, and
/// its subtitle streams (text ones can go into the prompt; picture ones say why not).
/// </summary>
public sealed record ClipInfo(
    string Id,
    string Label,
    MediaProbe Probe,
    FramePlan Plan,
    IReadOnlyList<FrameThumbnail> Frames,
    string PreviewUrl)
{
    public IReadOnlyList<SubtitleStream> SubtitleStreams { get; init; } = [];

    /// <summary>
    /// "ready", "making" (a browser preview is still being made; the clip can already be narrated) or "failed"
    /// (<see cref="PreviewMessage"/> says why; narration still works).
    /// </summary>
    public string PreviewStatus { get; init; } = "ready";

    /// <summary>A sentence about the preview while it is not ready.</summary>
    public string? PreviewMessage { get; init; }

    /// <summary>
    /// False while <see cref="Frames"/> are keyframes near the planned times (the clip is too large to decode exactly
    /// while the upload waits); the exact frames replace them when the background work is done.
    /// </summary>
    public bool FramesExact { get; init; } = true;

    /// <summary>
    /// Set when the file is damaged: fewer frames decode than it claims ("Only 3 of the 16 planned frames could be decoded
    /// …"); the clip is kept and narrated from what decodes.
    /// </summary>
    public string? DecodeWarning { get; init; }
}

/// <summary>One sampled frame: its source index, its time in the clip, and the URL of its image.</summary>
public sealed record FrameThumbnail(int Index, double TimestampSeconds, string Url);
