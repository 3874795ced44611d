using System.Globalization;
using System.Text;

namespace Narrator.Model.Subtitles;

/// <summary>
/// Puts the dialogue of a clip (or of one segment of a long video) into the prompt: the model cannot hear, so the lines
/// on screen during that stretch go in as timestamped text. A prompt holding <see cref="Placeholder"/> gets the block
/// there; any other prompt gets it first, right after the video, so a template's own wording stays as it was trained.
/// Times are counted from the start of the stretch, as the model sees it.
/// </summary>
public static class SubtitlePrompt
{
    public const string Placeholder = "{subtitles}";

    /// <summary>The block is cut here (at a line boundary) so a talkative film cannot crowd out the prompt.</summary>
    public const int MaxBlockCharacters = 3000;

    /// <summary>
    /// <paramref name="prompt"/> with the lines of <paramref name="track"/> that are on screen during
    /// [<paramref name="start"/>, <paramref name="end"/>) seconds; the placeholder alone is removed when there are none.
    /// </summary>
    public static string Compose(string prompt, SubtitleTrack? track, double start, double end)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var lines = track?.Within(start, end) ?? [];
        string block = lines.Count == 0 ? "" : Block(lines, start, end, Chinese(prompt));
        if (prompt.Contains(Placeholder, StringComparison.Ordinal))
        {
            return Tidy(prompt.Replace(Placeholder, block, StringComparison.Ordinal));
        }
        return block.Length == 0 ? prompt : block + "\n\n" + prompt;
    }

    /// <summary>The timestamped block for <paramref name="lines"/>, times relative to <paramref name="start"/> and clamped to the stretch.</summary>
    public static string Block(IReadOnlyList<SubtitleLine> lines, double start, double end, bool chinese)
    {
        var text = new StringBuilder(chinese
            ? "字幕（视频中的对白，按时间顺序，时间从本片段开头算起）："
            : "Subtitles (the dialogue in this video, in order; times from the start of this clip):");
        double length = Math.Max(0, end - start);
        for (int i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            string entry = $"\n[{Clock(Math.Clamp(line.StartSeconds - start, 0, length))} - {Clock(Math.Clamp(line.EndSeconds - start, 0, length))}] {line.Text}";
            if (text.Length + entry.Length > MaxBlockCharacters)
            {
                int rest = lines.Count - i;
                text.Append(chinese
                    ? string.Create(CultureInfo.InvariantCulture, $"\n……（另有 {rest} 行字幕未列出）")
                    : string.Create(CultureInfo.InvariantCulture, $"\n… ({rest} more line{(rest == 1 ? "" : "s")} not shown)"));
                break;
            }
            text.Append(entry);
        }
        return text.ToString();
    }

    /// <summary>"01:02.5": minutes and seconds to a tenth (hours are added past an hour).</summary>
    public static string Clock(double seconds)
    {
        long tenths = (long)Math.Round(Math.Max(0, seconds) * 10, MidpointRounding.AwayFromZero);
        long hours = tenths / 36000;
        long minutes = tenths / 600 % 60;
        double secs = tenths % 600 / 10.0;
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}:{minutes:00}:{secs:00.0}")
            : string.Create(CultureInfo.InvariantCulture, $"{minutes:00}:{secs:00.0}");
    }

    /// <summary>A prompt written mostly in Chinese gets a Chinese heading, so the model reads one language.</summary>
    private static bool Chinese(string prompt)
    {
        int cjk = 0, letters = 0;
        foreach (char c in prompt)
        {
            if (c is >= '\u4e00' and <= '\u9fff')
            {
                cjk++;
            }
            else if (char.IsAsciiLetter(c))
            {
                letters++;
            }
        }
        // A hanzi carries about as much as a short word: compare against letters / 4.
        return cjk * 4 > letters;
    }

    /// <summary>Removing an empty placeholder must not leave a gap of blank lines behind.</summary>
    private static string Tidy(string prompt)
    {
        var text = new StringBuilder(prompt.Length);
        int newlines = 0;
        foreach (char c in prompt.Trim())
        {
            if (c == '\n')
            {
                if (++newlines > 2)
                {
                    continue;
                }
            }
            else if (c != '\r')
            {
                newlines = 0;
            }
            text.Append(c);
        }
        return text.ToString();
    }
}
