namespace Narrator.Model.Subtitles;

/// <summary>One subtitle cue as plain text: seconds from the start of the video, markup removed, lines joined by a space.</summary>
public sealed record SubtitleLine(double StartSeconds, double EndSeconds, string Text)
{
    /// <summary>True when the cue is on screen at some moment of [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public bool Overlaps(double start, double end) =>
        StartSeconds < end && (EndSeconds > start || (EndSeconds <= StartSeconds && StartSeconds >= start));
}
