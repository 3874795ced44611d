using Narrator.Web.Narrations;

namespace Narrator.Web.Services.Sharing;

/// <summary>
/// A narration its owner published as a read-only page: the narration as it was when published (prompt, settings, text,
/// stats, segments) and the frames the model saw, copied so the page outlives the clip.
/// </summary>
public sealed record SharedNarration(string Token, NarrationRecord Narration, IReadOnlyList<SharedFrame> Frames, DateTimeOffset PublishedAt)
{
    /// <summary>The read-only page's path.</summary>
    public string PagePath => ShareLinks.PagePath(Token);
}

/// <summary>One copied frame: its time in the clip and where the share serves its image.</summary>
public sealed record SharedFrame(double TimestampSeconds, string Url);
