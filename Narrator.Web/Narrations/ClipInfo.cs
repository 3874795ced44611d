using Narrator.Model.Media;

namespace Narrator.Web.Narrations;

/// <summary>An uploaded clip as the page and API clients see it: what it is, the frames the model will see, and where to watch it.</summary>
public sealed record ClipInfo(
    string Id,
    string Label,
    MediaProbe Probe,
    FramePlan Plan,
    IReadOnlyList<FrameThumbnail> Frames,
    string PreviewUrl);

/// <summary>One sampled frame: its source index, its time in the clip, and the URL of its image.</summary>
public sealed record FrameThumbnail(int Index, double TimestampSeconds, string Url);
