namespace Narrator.Model.Exports;

/// <summary>
/// The registry of export formats: each registered writer declares its name, aliases, file extension and media type,
/// and every lookup (name → format, format → extension or media type) reads them from here. A new format is one
/// writer class and one line in <see cref="Writers"/>; a name nobody registered is refused, never exported as text.
/// </summary>
public static class ExportFormats
{
    /// <summary>The registered writers, in the order their formats are listed to people.</summary>
    private static readonly INarrationWriter[] Writers =
    [
        new JsonNarrationWriter(),
        new NdjsonNarrationWriter(),
        new SrtNarrationWriter(),
        new WebVttNarrationWriter(),
        new PlainTextNarrationWriter(),
    ];

    private static readonly Dictionary<string, ExportFormat> ByName = Index(Writers);

    /// <summary>Every registered format, in the order they are listed to people.</summary>
    public static readonly IReadOnlyList<ExportFormat> All = [.. Writers.Select(writer => new ExportFormat(writer))];

    /// <summary>Names accepted on the command line and in the HTTP API, in the order they are listed to people.</summary>
    public static readonly IReadOnlyList<string> Names = [.. Writers.Select(writer => writer.Name)];

    /// <summary>Reads a format's name or alias ("vtt"/"webvtt"), case-insensitively; an unknown one is a <see cref="UserInputException"/>.</summary>
    public static ExportFormat Parse(string? name) =>
        name is not null && ByName.TryGetValue(name.Trim(), out var format)
            ? format
            : throw new UserInputException($"Unknown export format '{name}'; use one of {string.Join(", ", Names)}.");

    /// <summary>The name used on the command line and in the HTTP API's <c>format=</c>.</summary>
    public static string Name(this ExportFormat format) => format.Writer.Name;

    /// <summary>The file extension, with its dot.</summary>
    public static string FileExtension(this ExportFormat format) => format.Writer.FileExtension;

    /// <summary>The download menus' label for this format in a UI culture ("en", "zh-CN").</summary>
    public static string Label(this ExportFormat format, string? culture) => format.Writer.Label.For(culture);

    /// <summary>The HTTP Content-Type: the writer's media type in UTF-8, the only encoding the writers write.</summary>
    public static string ContentType(this ExportFormat format) => format.Writer.MediaType + "; charset=utf-8";

    /// <summary>Name and aliases to format; refuses a writer that leaves a field empty or claims a name another already has.</summary>
    internal static Dictionary<string, ExportFormat> Index(IEnumerable<INarrationWriter> writers)
    {
        var byName = new Dictionary<string, ExportFormat>(StringComparer.OrdinalIgnoreCase);
        foreach (var writer in writers)
        {
            if (string.IsNullOrWhiteSpace(writer.Name) || !writer.FileExtension.StartsWith('.') || writer.FileExtension.Length < 2
                || string.IsNullOrWhiteSpace(writer.MediaType) || writer.MediaType.Contains(';', StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"{writer.GetType().Name} must declare a name, a file extension starting with '.', and a media type without parameters.");
            }
            foreach (string name in writer.Aliases.Prepend(writer.Name))
            {
                if (!byName.TryAdd(name, new ExportFormat(writer)))
                {
                    throw new InvalidOperationException(
                        $"{writer.GetType().Name} claims the export format name '{name}', which {byName[name].Writer.GetType().Name} already has.");
                }
            }
        }
        return byName;
    }
}
