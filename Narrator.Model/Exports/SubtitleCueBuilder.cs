namespace Narrator.Model.Exports;

/// <summary>Layout rules for subtitle cues.</summary>
public sealed record SubtitleLayout
{
    /// <summary>Columns per line; a Chinese character takes two, so 42 allows 21 hanzi (or 42 Latin characters).</summary>
    public int MaxLineColumns { get; init; } = 42;

    public int MaxLinesPerCue { get; init; } = 2;

    /// <summary>
    /// Shortest time a cue stays on screen. When a segment's text needs more cues than its time allows at this length, its
    /// cues take more lines instead (a long narration of a short clip is read from few long cues, not flashed past).
    /// </summary>
    public double MinCueSeconds { get; init; } = 1.5;
}

/// <summary>
/// Turns segment narrations into subtitle cues. A narration is longer than a subtitle can hold, so each segment's text is
/// wrapped and cut into cues of a few lines that share the segment's time in proportion to their length (a reading-speed
/// approximation that keeps every cue inside its segment and the cues in order without overlaps).
/// </summary>
public static class SubtitleCueBuilder
{
    public static IReadOnlyList<SubtitleCue> Build(TimedNarration narration, SubtitleLayout? layout = null)
    {
        layout ??= new SubtitleLayout();
        ArgumentOutOfRangeException.ThrowIfLessThan(layout.MaxLinesPerCue, 1);
        var cues = new List<SubtitleCue>();
        foreach (var segment in narration.Segments)
        {
            if (segment.Error is not null)
            {
                continue;
            }
            var lines = CaptionLineBreaker.Wrap(segment.DisplayText, layout.MaxLineColumns);
            if (lines.Count == 0)
            {
                continue;
            }

            // Boundaries in whole milliseconds so the written times of neighbouring cues are identical, never overlapping.
            long startMs = SubtitleClock.Milliseconds(segment.StartSeconds);
            long endMs = Math.Max(startMs, SubtitleClock.Milliseconds(segment.EndSeconds));
            long spanMs = endMs - startMs;
            long minCueMs = Math.Max(0, (long)Math.Round(layout.MinCueSeconds * 1000));

            int cueCount = (lines.Count + layout.MaxLinesPerCue - 1) / layout.MaxLinesPerCue;
            if (minCueMs > 0)
            {
                cueCount = (int)Math.Clamp(Math.Min(cueCount, spanMs / minCueMs), 1, cueCount);
            }
            int linesPerCue = (lines.Count + cueCount - 1) / cueCount;
            cueCount = (lines.Count + linesPerCue - 1) / linesPerCue;
            var widths = new int[cueCount];
            int totalWidth = 0;
            for (int i = 0; i < lines.Count; i++)
            {
                int w = Math.Max(1, CaptionLineBreaker.Columns(lines[i]));
                widths[i / linesPerCue] += w;
                totalWidth += w;
            }

            // Each cue gets the minimum, and the time left over is shared in proportion to the cue's length.
            long reserved = Math.Min(spanMs, minCueMs * cueCount);
            long sharedMs = spanMs - reserved;
            long cumulative = 0;
            long cueStartMs = startMs;
            for (int c = 0; c < cueCount; c++)
            {
                cumulative += widths[c];
                long cueEndMs = c == cueCount - 1
                    ? endMs
                    : startMs + reserved * (c + 1) / cueCount + (long)Math.Round((double)sharedMs * cumulative / totalWidth);
                int first = c * linesPerCue;
                int count = Math.Min(linesPerCue, lines.Count - first);
                var cueLines = new string[count];
                for (int i = 0; i < count; i++)
                {
                    cueLines[i] = lines[first + i];
                }
                cues.Add(new SubtitleCue(cues.Count + 1, cueStartMs / 1000.0, cueEndMs / 1000.0, cueLines));
                cueStartMs = cueEndMs;
            }
        }
        return cues;
    }
}
