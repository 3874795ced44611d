namespace Narrator.Model.Exports;

/// <summary>The file formats a timestamped narration can be written as.</summary>
public enum ExportFormat
{
    Json,
    Ndjson,
    Srt,
    WebVtt,
    Text,
}

public static class ExportFormats
{
    /// <summary>Names accepted on the command line and in the HTTP API, in the order they are listed to people.</summary>
    public static readonly IReadOnlyList<string> Names = ["json", "ndjson", "srt", "vtt", "txt"];

    /// <summary>Reads a format name ("json", "ndjson", "srt", "vtt"/"webvtt", "txt"/"text"), case-insensitively.</summary>
    public static ExportFormat Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "json" => ExportFormat.Json,
        "ndjson" or "jsonl" => ExportFormat.Ndjson,
        "srt" => ExportFormat.Srt,
        "vtt" or "webvtt" => ExportFormat.WebVtt,
        "txt" or "text" => ExportFormat.Text,
        _ => throw new UserInputException(
            $"Unknown export format '{name}'; use one of {string.Join(", ", Names)}."),
    };

    /// <summary>The name used on the command line and in the HTTP API's <c>format=</c>.</summary>
    public static string Name(this ExportFormat format) => format switch
    {
        ExportFormat.Json => "json",
        ExportFormat.Ndjson => "ndjson",
        ExportFormat.Srt => "srt",
        ExportFormat.WebVtt => "vtt",
        _ => "txt",
    };

    public static string FileExtension(this ExportFormat format) => format switch
    {
        ExportFormat.Json => ".json",
        ExportFormat.Ndjson => ".ndjson",
        ExportFormat.Srt => ".srt",
        ExportFormat.WebVtt => ".vtt",
        _ => ".txt",
    };

    public static string ContentType(this ExportFormat format) => format switch
    {
        ExportFormat.Json => "application/json; charset=utf-8",
        ExportFormat.Ndjson => "application/x-ndjson; charset=utf-8",
        ExportFormat.Srt => "application/x-subrip; charset=utf-8",
        ExportFormat.WebVtt => "text/vtt; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    };
}
