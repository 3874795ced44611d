namespace Narrator.Model.Subtitles;

/// <summary>
/// The dialogue of a video as timed lines, in order of their start: read from a visitor's .srt/.vtt file or extracted
/// from one of the video's own text subtitle streams. <see cref="Source"/> says which, for people.
/// </summary>
public sealed record SubtitleTrack
{
    /// <summary>Where the lines came from, e.g. "film.srt" or "stream 2 (subrip, eng)".</summary>
    public required string Source { get; init; }

    public required IReadOnlyList<SubtitleLine> Lines { get; init; }

    /// <summary>Damage that was repaired while reading (cues without an end, times out of order...), one sentence each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The lines on screen at some moment of [<paramref name="start"/>, <paramref name="end"/>) seconds, in order.</summary>
    public IReadOnlyList<SubtitleLine> Within(double start, double end)
    {
        var lines = new List<SubtitleLine>();
        foreach (var line in Lines)
        {
            if (line.Overlaps(start, end))
            {
                lines.Add(line);
            }
        }
        return lines;
    }
}
