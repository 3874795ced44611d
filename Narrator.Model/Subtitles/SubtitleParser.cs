using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Narrator.Model.Subtitles;

/// <summary>
/// Reads SubRip (.srt) and WebVTT (.vtt) text into timed plain lines, tolerating the damage real files carry: missing or
/// wrong cue numbers, ',' '.' or ':' before the milliseconds, hours left out, 1-2 digit milliseconds, no blank line
/// between cues, blank lines inside a cue, an end before the start, CR or CRLF line ends, VTT headers, notes, styles and
/// cue settings. Markup (&lt;i&gt;, &lt;font&gt;, {\an8}, VTT voices and inline times) is removed; a voice becomes "Name: ".
/// </summary>
public static partial class SubtitleParser
{
    /// <summary>What a cue with no usable end (or an end before its start) is given: a typical time on screen.</summary>
    public const double AssumedCueSeconds = 2;

    public static SubtitleTrack Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').TrimStart('\uFEFF').Split('\n');
        // Each line is read as a timing once; everything below looks the answers up.
        var timings = new (double Start, double End)?[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            lines[i] = lines[i].Trim();
            timings[i] = TryReadTiming(lines[i], out double start, out double end) ? (start, end) : null;
        }
        var cues = new List<(double Start, double End, StringBuilder Text)>();
        int repairedEnds = 0;
        bool inHeaderBlock = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0)
            {
                inHeaderBlock = false;
                continue;
            }
            if (timings[i] is var (start, end))
            {
                inHeaderBlock = false;
                if (end <= start)
                {
                    end = start + AssumedCueSeconds;
                    repairedEnds++;
                }
                cues.Add((start, end, new StringBuilder()));
                // The cue's text runs to a blank line or to the next timing line (files that lost their blank lines).
                while (i + 1 < lines.Length && lines[i + 1].Length > 0 && timings[i + 1] is null)
                {
                    i++;
                    if (IsCueNumberBefore(lines, timings, i))
                    {
                        continue;
                    }
                    AppendText(cues[^1].Text, lines[i]);
                }
                continue;
            }
            if (inHeaderBlock || IsHeaderBlockStart(line))
            {
                inHeaderBlock = true;
                continue;
            }
            if (IsCueNumberBefore(lines, timings, i))
            {
                continue;
            }
            // Text after a blank line inside a cue (a damaged file): it belongs to the cue before it.
            if (cues.Count > 0)
            {
                AppendText(cues[^1].Text, line);
            }
        }

        var result = new List<SubtitleLine>(cues.Count);
        foreach (var (start, end, raw) in cues)
        {
            string clean = Clean(raw.ToString());
            if (clean.Length > 0)
            {
                result.Add(new SubtitleLine(start, end, clean));
            }
        }
        result.Sort((a, b) => a.StartSeconds != b.StartSeconds ? a.StartSeconds.CompareTo(b.StartSeconds) : a.EndSeconds.CompareTo(b.EndSeconds));
        RemoveRepeats(result);

        var warnings = new List<string>();
        if (repairedEnds > 0)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{repairedEnds} cue(s) ended before they began; each was given {AssumedCueSeconds:0} s on screen."));
        }
        return new SubtitleTrack { Source = source, Lines = result, Warnings = warnings };
    }

    /// <summary>Cue text as one plain line: markup and control tokens removed, entities decoded, whitespace collapsed.</summary>
    public static string Clean(string text)
    {
        // Most cues are plain text: the markup passes only run when a cue could hold markup.
        string s = text.AsSpan().IndexOfAny("<{\\&") < 0 ? text : StripMarkup(text);
        var builder = new StringBuilder(s.Length);
        bool space = false;
        foreach (char c in s)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '\u200E' or '\u200F')
            {
                space = builder.Length > 0;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    private static string StripMarkup(string text)
    {
        string s = VoiceTag().Replace(text, match => match.Groups[1].Value.Trim() + ": ");
        s = AssOverride().Replace(s, "");
        s = s.Replace("\\N", " ", StringComparison.Ordinal).Replace("\\n", " ", StringComparison.Ordinal).Replace("\\h", " ", StringComparison.Ordinal);
        s = ControlToken().Replace(s, "");
        s = InlineTime().Replace(s, "");
        s = Tag().Replace(s, "");
        return WebUtility.HtmlDecode(s).Replace('\u00A0', ' ');
    }

    /// <summary>Reads "start --> end" (SRT or VTT, with or without hours, any millisecond separator, trailing cue settings).</summary>
    internal static bool TryReadTiming(string line, out double start, out double end)
    {
        start = end = 0;
        if (!line.Contains('>', StringComparison.Ordinal))
        {
            return false;
        }
        var match = Timing().Match(line);
        return match.Success && TryReadTime(match.Groups["start"].Value, out start) && TryReadTime(match.Groups["end"].Value, out end);
    }

    internal static bool TryReadTime(string text, out double seconds)
    {
        seconds = 0;
        var match = Time().Match(text);
        if (!match.Success)
        {
            return false;
        }
        int hours = match.Groups["h"].Success ? int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture) : 0;
        int minutes = int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture);
        int secs = int.Parse(match.Groups["s"].Value, CultureInfo.InvariantCulture);
        // "5" and "50" after the separator are tenths and hundredths: 0.5 s.
        int millis = match.Groups["ms"].Success ? int.Parse(match.Groups["ms"].Value.PadRight(3, '0'), CultureInfo.InvariantCulture) : 0;
        if (minutes > 59 || secs > 59)
        {
            return false;
        }
        seconds = hours * 3600 + minutes * 60 + secs + millis / 1000.0;
        return true;
    }

    private static void AppendText(StringBuilder cue, string line)
    {
        if (cue.Length > 0)
        {
            cue.Append('\n');
        }
        cue.Append(line.Trim());
    }

    /// <summary>A line of digits only, with a timing line right after it: the cue's number, not its text.</summary>
    private static bool IsCueNumberBefore(string[] lines, (double, double)?[] timings, int i)
    {
        string line = lines[i];
        return line.Length is > 0 and <= 9 && line.All(char.IsAsciiDigit) && i + 1 < lines.Length && timings[i + 1] is not null;
    }

    /// <summary>WebVTT's header and its NOTE, STYLE and REGION blocks carry no dialogue.</summary>
    private static bool IsHeaderBlockStart(string line) =>
        line.StartsWith("WEBVTT", StringComparison.Ordinal) || line == "NOTE" || line.StartsWith("NOTE ", StringComparison.Ordinal)
        || line.StartsWith("NOTE\t", StringComparison.Ordinal) || line == "STYLE" || line == "REGION";

    /// <summary>Drops a cue that repeats the one before it exactly (ASS-to-SRT conversions often write the same cue twice).</summary>
    private static void RemoveRepeats(List<SubtitleLine> lines)
    {
        for (int i = lines.Count - 1; i > 0; i--)
        {
            if (lines[i] == lines[i - 1])
            {
                lines.RemoveAt(i);
            }
        }
    }

    [GeneratedRegex(@"^(?<start>[\d:.,]+)\s*-{1,2}>\s*(?<end>[\d:.,]+)")]
    private static partial Regex Timing();

    [GeneratedRegex(@"^(?:(?<h>\d{1,3}):)?(?<m>\d{1,2}):(?<s>\d{1,2})(?:[.,:](?<ms>\d{1,3}))?$")]
    private static partial Regex Time();

    [GeneratedRegex(@"<v(?:\.[^\s>]*)?\s+([^>]*)>", RegexOptions.IgnoreCase)]
    private static partial Regex VoiceTag();

    [GeneratedRegex(@"\{\\[^}]*\}")]
    private static partial Regex AssOverride();

    [GeneratedRegex(@"<\|[^<>|]*\|>")]
    private static partial Regex ControlToken();

    [GeneratedRegex(@"<\d+:\d{2}(?::\d{2})?(?:[.,]\d+)?>")]
    private static partial Regex InlineTime();

    [GeneratedRegex(@"</?[a-zA-Z][^<>]*>")]
    private static partial Regex Tag();
}
