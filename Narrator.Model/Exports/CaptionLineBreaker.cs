using System.Text;

namespace Narrator.Model.Exports;

/// <summary>
/// Breaks caption text into lines that fit a column budget, where East Asian wide characters take two columns.
/// Latin text breaks at spaces only; Chinese/Japanese may break between any two characters, but never before closing
/// punctuation (，。」) or after opening punctuation (「（), and a line prefers to end at a clause mark when one is near.
/// </summary>
public static class CaptionLineBreaker
{
    /// <summary>A clause mark is preferred as the line end if the line is at least this full there.</summary>
    private const double PreferredClauseBreakFill = 0.6;

    public static IReadOnlyList<string> Wrap(string text, int maxColumns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxColumns, 2);
        var runes = Normalise(text);
        var lines = new List<string>();
        int n = runes.Count;
        int start = 0;
        while (start < n)
        {
            while (start < n && runes[start].Value == ' ')
            {
                start++;
            }
            if (start >= n)
            {
                break;
            }

            int width = 0;
            int end = start;
            int lastBreak = -1;
            int lastClauseBreak = -1;
            int widthAtClauseBreak = 0;
            while (end < n)
            {
                if (end > start && CanBreakBefore(runes, end))
                {
                    lastBreak = end;
                    if (IsClauseMark(runes[end - 1]))
                    {
                        lastClauseBreak = end;
                        widthAtClauseBreak = width;
                    }
                }
                int w = Columns(runes[end]);
                if (width + w > maxColumns && end > start)
                {
                    break;
                }
                width += w;
                end++;
            }

            if (end >= n)
            {
                lines.Add(Slice(runes, start, n));
                break;
            }
            int cut = lastClauseBreak > start && widthAtClauseBreak >= maxColumns * PreferredClauseBreakFill ? lastClauseBreak
                : lastBreak > start ? lastBreak
                : end; // one word longer than a line: cut it where the line is full
            lines.Add(Slice(runes, start, cut));
            start = cut;
        }
        return lines;
    }

    /// <summary>Display columns of a text: two for each wide character, one for the rest.</summary>
    public static int Columns(string text)
    {
        int columns = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            columns += Columns(rune);
        }
        return columns;
    }

    public static int Columns(Rune rune) => IsWide(rune) ? 2 : 1;

    /// <summary>East Asian Wide/Fullwidth ranges (Unicode UAX #11) that subtitles meet in practice, plus emoji.</summary>
    public static bool IsWide(Rune rune)
    {
        int c = rune.Value;
        return c is >= 0x1100 and <= 0x115F
            or >= 0x2E80 and <= 0x303E
            or >= 0x3041 and <= 0x33FF
            or >= 0x3400 and <= 0x4DBF
            or >= 0x4E00 and <= 0x9FFF
            or >= 0xA000 and <= 0xA4CF
            or >= 0xAC00 and <= 0xD7A3
            or >= 0xF900 and <= 0xFAFF
            or >= 0xFE30 and <= 0xFE4F
            or >= 0xFF00 and <= 0xFF60
            or >= 0xFFE0 and <= 0xFFE6
            or >= 0x1F300 and <= 0x1F64F
            or >= 0x1F900 and <= 0x1F9FF
            or >= 0x20000 and <= 0x3FFFD;
    }

    private static bool CanBreakBefore(List<Rune> runes, int i)
    {
        Rune before = runes[i - 1];
        Rune at = runes[i];
        if (at.Value == ' ')
        {
            return true;
        }
        if (before.Value == ' ')
        {
            return false; // the break was offered at the space itself
        }
        if (IsNoBreakBefore(at) || IsNoBreakAfter(before))
        {
            return false;
        }
        return IsWide(before) || IsWide(at);
    }

    private static bool IsNoBreakBefore(Rune rune) =>
        rune.Value < 0x10000 && "，。、；：？！）」』》〉】〕”’…—～·,.;:?!)]}%".Contains((char)rune.Value);

    private static bool IsNoBreakAfter(Rune rune) =>
        rune.Value < 0x10000 && "（「『《〈【〔“‘([{".Contains((char)rune.Value);

    private static bool IsClauseMark(Rune rune) =>
        rune.Value < 0x10000 && "，。、；：？！,.;:?!".Contains((char)rune.Value);

    /// <summary>Runes with every whitespace run (newlines included) collapsed to one space: a cue line cannot hold a blank line.</summary>
    private static List<Rune> Normalise(string text)
    {
        var runes = new List<Rune>(text.Length);
        bool pendingSpace = false;
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune))
            {
                pendingSpace = runes.Count > 0;
                continue;
            }
            if (pendingSpace)
            {
                runes.Add(new Rune(' '));
                pendingSpace = false;
            }
            runes.Add(rune);
        }
        return runes;
    }

    private static string Slice(List<Rune> runes, int start, int end)
    {
        var builder = new StringBuilder((end - start) * 2);
        for (int i = start; i < end; i++)
        {
            builder.Append(runes[i].ToString());
        }
        return builder.ToString().TrimEnd(' ');
    }
}
