using System.Text;

namespace Narrator.Model.Subtitles;

/// <summary>
/// Reads a person's own subtitle file (.srt or .vtt) entirely in C# — it is never handed to ffmpeg. Up to
/// <see cref="MaxBytes"/>; UTF-8 (with or without a byte order mark) or UTF-16 (with a mark, or recognisable by its
/// zero bytes); anything else, binary data above all, is refused with a sentence saying what to do.
/// </summary>
public static class SubtitleFileReader
{
    /// <summary>2 MiB: a feature film's subtitles are 50-150 KB.</summary>
    public const int MaxBytes = 2 * 1024 * 1024;

    public static readonly IReadOnlyList<string> Extensions = [".srt", ".vtt"];

    /// <summary>Reads at most <see cref="MaxBytes"/> from <paramref name="content"/> and parses it; <paramref name="name"/> is for messages and the track's source.</summary>
    public static async Task<SubtitleTrack> ReadAsync(Stream content, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw new UserInputException($"{name} is larger than the {MaxBytes / (1024 * 1024)} MB limit for subtitle files; subtitles of a whole film fit in far less.");
            }
            buffer.Write(chunk, 0, read);
        }
        return Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), name);
    }

    public static async Task<SubtitleTrack> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        string name = Path.GetFileName(path);
        if (Directory.Exists(path))
        {
            throw new UserInputException($"{path} is a folder, not a subtitle file.");
        }
        if (!File.Exists(path))
        {
            throw new UserInputException($"Subtitle file not found: {path}.");
        }
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return await ReadAsync(stream, name, cancellationToken).ConfigureAwait(false);
    }

    public static SubtitleTrack Read(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length > MaxBytes)
        {
            throw new UserInputException($"{name} is larger than the {MaxBytes / (1024 * 1024)} MB limit for subtitle files.");
        }
        string text = Decode(bytes, name);
        var track = SubtitleParser.Parse(text, name);
        if (track.Lines.Count == 0)
        {
            throw new UserInputException(
                $"{name} has no subtitle cues (lines with times such as 00:00:01,000 --> 00:00:02,500); choose an .srt or .vtt subtitle file.");
        }
        return track;
    }

    /// <summary>The file's text: UTF-8 or UTF-16 as its byte order mark or zero bytes say; binary or other encodings are refused.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length == 0)
        {
            throw new UserInputException($"{name} is empty; choose an .srt or .vtt subtitle file.");
        }
        Encoding? encoding = null;
        int skip = 0;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            encoding = new UTF8Encoding(false, true);
            skip = 3;
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            encoding = new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true);
            skip = 2;
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            encoding = new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true);
            skip = 2;
        }
        else if (LooksLikeUtf16(bytes) is bool bigEndian)
        {
            encoding = new UnicodeEncoding(bigEndian, byteOrderMark: false, throwOnInvalidBytes: true);
        }
        else if (bytes.Contains((byte)0))
        {
            throw NotText(name);
        }

        string text;
        try
        {
            text = (encoding ?? new UTF8Encoding(false, true)).GetString(bytes[skip..]);
        }
        catch (DecoderFallbackException)
        {
            throw encoding is null or UTF8Encoding
                ? new UserInputException($"{name} is not UTF-8 or UTF-16 text (perhaps GBK, Big5 or Latin-1); save it as UTF-8 and add it again.")
                : NotText(name);
        }
        if (ControlShare(text) > 0.01)
        {
            throw NotText(name);
        }
        return text;
    }

    /// <summary>UTF-16 without a mark: mostly-ASCII text has a zero in every other byte; true for big-endian, false for little, null when neither.</summary>
    private static bool? LooksLikeUtf16(ReadOnlySpan<byte> bytes)
    {
        int sample = Math.Min(bytes.Length, 4096) & ~1;
        if (sample < 4)
        {
            return null;
        }
        int evenZeros = 0, oddZeros = 0;
        for (int i = 0; i < sample; i += 2)
        {
            evenZeros += bytes[i] == 0 ? 1 : 0;
            oddZeros += bytes[i + 1] == 0 ? 1 : 0;
        }
        int pairs = sample / 2;
        if (oddZeros > pairs * 0.4 && evenZeros < pairs * 0.05)
        {
            return false;
        }
        if (evenZeros > pairs * 0.4 && oddZeros < pairs * 0.05)
        {
            return true;
        }
        return null;
    }

    /// <summary>Share of characters that are control codes other than tab, line feed, carriage return and form feed.</summary>
    private static double ControlShare(string text)
    {
        if (text.Length == 0)
        {
            return 0;
        }
        int controls = 0;
        foreach (char c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r' or '\f'))
            {
                controls++;
            }
        }
        return (double)controls / text.Length;
    }

    private static UserInputException NotText(string name) =>
        new($"{name} is not a text file (it holds binary data); choose an .srt or .vtt subtitle file.");
}
