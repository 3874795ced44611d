using Narrator.Model.Exports;
using Narrator.Model.Generation;

namespace Narrator.Model.Translation;

/// <summary>A narration in another language: the whole text, and each segment with its own times and translated text.</summary>
public sealed record TranslationResult
{
    public required TranslationLanguage Language { get; init; }

    /// <summary>The translation laid out like the narration's text (a long video's segments under their time headings).</summary>
    public required string Text { get; init; }

    /// <summary>The narration's segments with <see cref="NarrationSegment.Text"/> translated (an untranslated one carries its error).</summary>
    public required IReadOnlyList<NarrationSegment> Segments { get; init; }

    public required GenerationStats Stats { get; init; }
}

/// <summary>Folds translations into the narration they translate, so exports and results files carry them.</summary>
public static class TranslationMerge
{
    /// <summary><paramref name="narration"/> with <paramref name="translation"/> added (replacing an earlier one in the same language).</summary>
    public static TimedNarration With(this TimedNarration narration, TranslationResult translation)
    {
        ArgumentNullException.ThrowIfNull(narration);
        ArgumentNullException.ThrowIfNull(translation);
        string code = translation.Language.Code;
        var segments = new List<NarrationSegment>(narration.Segments.Count);
        for (int i = 0; i < narration.Segments.Count; i++)
        {
            var segment = narration.Segments[i];
            var translated = i < translation.Segments.Count ? translation.Segments[i] : null;
            segments.Add(translated is { Error: null, Text.Length: > 0 }
                ? segment with { Translations = Add(segment.Translations, code, translated.Text) }
                : segment);
        }
        return narration with { Segments = segments, Translations = Add(narration.Translations, code, translation.Text) };
    }

    private static Dictionary<string, string> Add(IReadOnlyDictionary<string, string>? existing, string language, string text)
    {
        var all = existing is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(existing, StringComparer.Ordinal);
        all[language] = text;
        return all;
    }
}
