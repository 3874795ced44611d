namespace Narrator.Model.Exports;

/// <summary>A whole video's narration as timestamped segments in order; a short clip is one segment covering all of it.</summary>
public sealed record TimedNarration
{
    /// <summary>The video as people know it (file name or upload label), not a server path.</summary>
    public required string Video { get; init; }

    public required double DurationSeconds { get; init; }

    public required IReadOnlyList<NarrationSegment> Segments { get; init; }

    /// <summary>Template id used for every segment, when one was.</summary>
    public string? Template { get; init; }

    public string? Model { get; init; }

    /// <summary>How the segments were cut ("whole", "scenes", "fixed"), for the reader of an export.</summary>
    public string? Segmentation { get; init; }

    /// <summary>
    /// How the narration ended when it did not complete ("failed", "interrupted"); null for a complete one. Exports
    /// that can carry a remark say so, so a partial text is never mistaken for the whole narration.
    /// </summary>
    public string? State { get; init; }

    /// <summary>The sentence that goes with <see cref="State"/> (why the text is partial).</summary>
    public string? StateNote { get; init; }

    /// <summary>One line for a reader, e.g. "interrupted: The server stopped ..."; null for a complete narration.</summary>
    public string? IncompleteRemark => State is null ? null : StateNote is { Length: > 0 } note ? $"{State}: {note}" : State;

    /// <summary>The figures of every narrated segment as one (segments that failed have none and add nothing).</summary>
    public Generation.GenerationStats TotalStats()
    {
        var narrated = new List<Generation.GenerationStats>(Segments.Count);
        foreach (var segment in Segments)
        {
            if (segment.Stats is { } stats)
            {
                narrated.Add(stats);
            }
        }
        return Generation.GenerationStats.Total(narrated);
    }
}
