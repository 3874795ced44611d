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

    /// <summary>The whole narration in other languages, by language code; each segment's part is in its own Translations.</summary>
    public IReadOnlyDictionary<string, string>? Translations { get; init; }

    /// <summary>The language of the segments' text when it is a translation (see <see cref="InLanguage"/>); null for the original.</summary>
    public string? Language { get; init; }

    /// <summary>
    /// This narration with every segment's text replaced by its <paramref name="language"/> translation, for subtitles or
    /// a text file in that language. A segment without one says so in its error. Throws when nothing was translated.
    /// </summary>
    public TimedNarration InLanguage(string language)
    {
        if (Translations?.ContainsKey(language) != true && !Segments.Any(s => s.Translations?.ContainsKey(language) == true))
        {
            string known = Translations is { Count: > 0 } all ? $"; it has {string.Join(", ", all.Keys)}" : "; it has none";
            throw new UserInputException($"This narration has no translation into \"{language}\"{known}.");
        }
        var segments = new List<NarrationSegment>(Segments.Count);
        foreach (var segment in Segments)
        {
            var plain = segment with { Tags = null, Json = null, Translations = null };
            segments.Add(segment.Translations?.TryGetValue(language, out var text) == true
                ? plain with { Text = text, Error = null }
                : plain with { Text = "", Error = segment.Error ?? $"not translated into {language}" });
        }
        return this with { Segments = segments, Translations = null, Language = language };
    }

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
