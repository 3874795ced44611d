namespace Narrator.Model.Exports;

/// <summary>
/// A file format a timestamped narration can be written as: one of the writers registered in <see cref="ExportFormats"/>.
/// Get one with <see cref="ExportFormats.Parse"/>, or a built-in one by name here.
/// </summary>
public readonly record struct ExportFormat
{
    private readonly INarrationWriter? _writer;

    internal ExportFormat(INarrationWriter writer) => _writer = writer;

    public static ExportFormat Json => ExportFormats.Parse(JsonNarrationWriter.FormatName);

    public static ExportFormat Ndjson => ExportFormats.Parse(NdjsonNarrationWriter.FormatName);

    public static ExportFormat Srt => ExportFormats.Parse(SrtNarrationWriter.FormatName);

    public static ExportFormat WebVtt => ExportFormats.Parse(WebVttNarrationWriter.FormatName);

    public static ExportFormat Text => ExportFormats.Parse(PlainTextNarrationWriter.FormatName);

    /// <summary>The registered writer of this format.</summary>
    public INarrationWriter Writer => _writer
        ?? throw new InvalidOperationException("This ExportFormat names no format; get one from ExportFormats.Parse.");

    /// <summary>See <see cref="INarrationWriter.HoldsTranslations"/>.</summary>
    public bool HoldsTranslations => Writer.HoldsTranslations;

    public override string ToString() => _writer?.Name ?? "";
}
