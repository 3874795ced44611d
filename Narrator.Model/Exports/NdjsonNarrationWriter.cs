using System.Text.Json;
using Narrator.Model.Templates;

namespace Narrator.Model.Exports;

/// <summary>
/// One compact JSON object per line and per segment — <c>{"id","video","index","start","end","template","model","text",
/// "translations"?,...}</c> —
/// so a search engine's bulk import (or <c>jq -c</c>) can take the file as it is. <c>id</c> is stable across re-runs;
/// <c>state</c> is on every line of a narration that did not complete.
/// </summary>
public sealed class NdjsonNarrationWriter : INarrationWriter
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public const string FormatName = "ndjson";

    public string Name => FormatName;

    public bool HoldsTranslations => true;

    public IReadOnlyList<string> Aliases { get; } = ["jsonl"];

    public string FileExtension => ".ndjson";

    public string MediaType => "application/x-ndjson";

    public LocalizedText Label { get; } = new("检索索引，每段一行 (.ndjson)", "Search index, one line per segment (.ndjson)");

    public async Task WriteAsync(TimedNarration narration, Stream destination, CancellationToken cancellationToken = default)
    {
        using var line = new MemoryStream();
        foreach (var segment in narration.Segments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            line.SetLength(0);
            using (var writer = new Utf8JsonWriter(line, NarrationJson.WriterOptions(indented: false)))
            {
                writer.WriteStartObject();
                writer.WriteString("id", $"{narration.Video}#{segment.Index}");
                writer.WriteString("video", narration.Video);
                writer.WriteNumber("index", segment.Index);
                NarrationJson.WriteTimes(writer, segment);
                if (narration.Template is null)
                {
                    writer.WriteNull("template");
                }
                else
                {
                    writer.WriteString("template", narration.Template);
                }
                if (narration.Model is not null)
                {
                    writer.WriteString("model", narration.Model);
                }
                if (narration.State is not null)
                {
                    writer.WriteString("state", narration.State);
                }
                if (narration.Language is { } language)
                {
                    writer.WriteString("language", language);
                }
                NarrationJson.WriteContent(writer, segment);
                writer.WriteEndObject();
            }
            await destination.WriteAsync(line.GetBuffer().AsMemory(0, (int)line.Length), cancellationToken);
            await destination.WriteAsync(NewLine, cancellationToken);
        }
        await destination.FlushAsync(cancellationToken);
    }
}
