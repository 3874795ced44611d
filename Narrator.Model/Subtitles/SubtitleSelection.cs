using System.Globalization;

namespace Narrator.Model.Subtitles;

public enum SubtitleSelectionKind
{
    /// <summary>The attached file if there is one, else the video's default (or first) text stream, else none.</summary>
    Auto,

    /// <summary>No subtitles in the prompt.</summary>
    Off,

    /// <summary>The file the person attached.</summary>
    File,

    /// <summary>One of the video's own streams, by index.</summary>
    Stream,
}

/// <summary>Which subtitles go into the prompt: written "auto", "off", "file" or "stream:N" (a bare N also names a stream).</summary>
public readonly record struct SubtitleSelection(SubtitleSelectionKind Kind, int StreamIndex = -1)
{
    public static readonly SubtitleSelection Auto = new(SubtitleSelectionKind.Auto);
    public static readonly SubtitleSelection Off = new(SubtitleSelectionKind.Off);
    public static readonly SubtitleSelection AttachedFile = new(SubtitleSelectionKind.File);

    public static SubtitleSelection ForStream(int index) => new(SubtitleSelectionKind.Stream, index);

    public static bool TryParse(string? text, out SubtitleSelection selection)
    {
        string value = text?.Trim().ToLowerInvariant() ?? "";
        selection = value switch
        {
            "" or "auto" => Auto,
            "off" or "none" or "false" => Off,
            "file" => AttachedFile,
            _ => default,
        };
        if (selection != default || value is "" or "auto")
        {
            return true;
        }
        string number = value.StartsWith("stream:", StringComparison.Ordinal) ? value["stream:".Length..] : value;
        if (int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            selection = ForStream(index);
            return true;
        }
        return false;
    }

    /// <summary>Reads a selection or throws a sentence listing the accepted forms.</summary>
    public static SubtitleSelection Parse(string? text) => TryParse(text, out var selection)
        ? selection
        : throw new UserInputException($"subtitles is \"{text}\"; use \"auto\", \"off\", \"file\" or \"stream:N\" (N from the clip's subtitle streams).");

    public override string ToString() => Kind switch
    {
        SubtitleSelectionKind.Off => "off",
        SubtitleSelectionKind.File => "file",
        SubtitleSelectionKind.Stream => string.Create(CultureInfo.InvariantCulture, $"stream:{StreamIndex}"),
        _ => "auto",
    };

    /// <summary>
    /// The stream "auto" reads when no file is attached: the default-flagged text stream, else the first text stream
    /// (forced-only streams come last: they hold just the foreign-language lines); null when no stream is text.
    /// </summary>
    public static SubtitleStream? AutoStream(IReadOnlyList<SubtitleStream> streams) =>
        streams.Where(s => s.IsUsable).OrderBy(s => s.IsForced).ThenByDescending(s => s.IsDefault).ThenBy(s => s.Index).FirstOrDefault();
}
