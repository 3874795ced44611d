using System.Text;
using System.Text.RegularExpressions;

namespace Narrator.Web.Services.Clips;

/// <summary>
/// The visitor's file name as a label: their own Unicode name (NFC), with the bidirectional controls that could make it
/// read as something else (U+202E turns "gpj.exe" around) taken out, and names holding a path or other control
/// characters refused. Sentences about a clip use this label, never the name the file has on the server's disk.
/// </summary>
public static class ClipLabels
{
    public const string Default = "upload";

    public const int MaxLength = 255;

    /// <summary>The label for an upload named <paramref name="fileName"/>; throws <see cref="ClipRejectedException"/> (400) for a refused name.</summary>
    public static string FromFileName(string? fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName))
        {
            return Default;
        }
        string name;
        try
        {
            name = fileName.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException ex)
        {
            throw new ClipRejectedException(StatusCodes.Status400BadRequest, "The file name is not valid Unicode text.", ex);
        }
        name = WithoutBidiControls(name).Trim();
        if (name.Length == 0)
        {
            return Default;
        }
        if (name.Length > MaxLength)
        {
            throw new ClipRejectedException(StatusCodes.Status400BadRequest, $"The file name is longer than {MaxLength} characters.");
        }
        if (name.Contains('/') || name.Contains('\\') || name.Contains("..", StringComparison.Ordinal) || name.Any(char.IsControl))
        {
            throw new ClipRejectedException(StatusCodes.Status400BadRequest,
                "The file name must be a plain name, without folders, \"..\" or control characters.");
        }
        return name;
    }

    /// <summary>
    /// <paramref name="message"/> (from ffprobe/ffmpeg, which name the file they read) with the stored file's full path,
    /// and its name where it stands alone, replaced by the visitor's <paramref name="label"/>.
    /// </summary>
    public static string InMessage(string message, string storedPath, string label)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrEmpty(storedPath))
        {
            return message;
        }
        string result = message.Replace(storedPath, label, StringComparison.Ordinal);
        string storedName = Path.GetFileName(storedPath);
        if (storedName.Length == 0 || storedName == label)
        {
            return result;
        }
        // Only the name as a whole word: a short stored name must not be replaced inside other words.
        var standalone = new Regex($@"(?<![\w.-]){Regex.Escape(storedName)}(?!\.?[\w-])", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return standalone.Replace(result, _ => label);
    }

    private static string WithoutBidiControls(string name)
    {
        if (!name.Any(IsBidiControl))
        {
            return name;
        }
        var kept = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            if (!IsBidiControl(c))
            {
                kept.Append(c);
            }
        }
        return kept.ToString();
    }

    // Arabic letter mark, LRM/RLM, the embeddings and overrides (LRE..RLO) and the isolates (LRI..PDI).
    private static bool IsBidiControl(char c) => c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
