using System.Globalization;

namespace Narrator.Model.Search;

/// <summary>A stretch of a span of text, as UTF-16 offsets (what browsers and .NET index strings by).</summary>
public readonly record struct TextSpan(int Start, int Length);

/// <summary>
/// The part of a hit's text worth showing: a window around the first match (whole text elements only, so no emoji or
/// combining mark is cut in half), with every term occurrence inside it marked.
/// </summary>
public sealed record SearchSnippet(string Text, IReadOnlyList<TextSpan> Highlights)
{
    public const int DefaultLength = 160;

    public static SearchSnippet Make(string text, IReadOnlyList<string> terms, int maxLength = DefaultLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        string flat = Flatten(text);
        int first = int.MaxValue;
        foreach (string term in terms)
        {
            int at = flat.IndexOf(term, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                first = Math.Min(first, at);
            }
        }
        int start = 0, end = flat.Length;
        if (flat.Length > maxLength)
        {
            int anchor = first == int.MaxValue ? 0 : first;
            start = Math.Max(0, anchor - maxLength / 3);
            end = Math.Min(flat.Length, start + maxLength);
            start = Math.Max(0, end - maxLength);
            start = Boundary(flat, start);
            end = Boundary(flat, end);
        }
        string window = flat[start..end];
        string prefix = start > 0 ? "…" : "";
        string suffix = end < flat.Length ? "…" : "";
        var highlights = new List<TextSpan>();
        foreach (string term in terms)
        {
            if (term.Length == 0)
            {
                continue;
            }
            for (int at = window.IndexOf(term, StringComparison.OrdinalIgnoreCase); at >= 0;
                 at = window.IndexOf(term, at + term.Length, StringComparison.OrdinalIgnoreCase))
            {
                highlights.Add(new TextSpan(prefix.Length + at, term.Length));
            }
        }
        highlights.Sort((a, b) => a.Start.CompareTo(b.Start));
        return new SearchSnippet(prefix + window + suffix, Merge(highlights));
    }

    /// <summary>The snippet split into plain and highlighted pieces, in order (what a page renders).</summary>
    public IReadOnlyList<(string Text, bool Highlighted)> Parts()
    {
        var parts = new List<(string, bool)>();
        int at = 0;
        foreach (var span in Highlights)
        {
            if (span.Start > at)
            {
                parts.Add((Text[at..span.Start], false));
            }
            parts.Add((Text.Substring(span.Start, span.Length), true));
            at = span.Start + span.Length;
        }
        if (at < Text.Length)
        {
            parts.Add((Text[at..], false));
        }
        return parts;
    }

    /// <summary>Line breaks and runs of spaces become one space: a snippet is one line.</summary>
    private static string Flatten(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));

    private static int Boundary(string text, int index)
    {
        if (index <= 0 || index >= text.Length)
        {
            return Math.Clamp(index, 0, text.Length);
        }
        int boundary = 0;
        foreach (int element in StringInfo.ParseCombiningCharacters(text))
        {
            if (element > index)
            {
                break;
            }
            boundary = element;
        }
        return boundary;
    }

    private static List<TextSpan> Merge(List<TextSpan> spans)
    {
        var merged = new List<TextSpan>(spans.Count);
        foreach (var span in spans)
        {
            if (merged.Count > 0 && span.Start <= merged[^1].Start + merged[^1].Length)
            {
                var last = merged[^1];
                merged[^1] = new TextSpan(last.Start, Math.Max(last.Start + last.Length, span.Start + span.Length) - last.Start);
            }
            else
            {
                merged.Add(span);
            }
        }
        return merged;
    }
}
