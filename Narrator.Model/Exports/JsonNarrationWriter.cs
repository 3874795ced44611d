using System.Text.Json;
using Narrator.Model.Templates;

namespace Narrator.Model.Exports;

/// <summary>
/// One JSON document: <c>{"video","durationSeconds","template","model","segmentation","state"?,"note"?,"language"?,
/// "translations"?:{"fr":"..."},"segments":[{"index","start","end","startFrame"?,"endFrame"?,"text","tags"?,"json"?,"error"?,
/// "translations"?,"stats"?}]}</c>, times in seconds; <c>state</c> only for a narration that did not complete.
/// </summary>
public sealed class JsonNarrationWriter : INarrationWriter
{
    public const string FormatName = "json";

    public string Name => FormatName;

    public bool HoldsTranslations => true;

    public string FileExtension => ".json";

    public string MediaType => "application/json";

    public LocalizedText Label { get; } = new("分段 JSON (.json)", "Segments as JSON (.json)");

    public async Task WriteAsync(TimedNarration narration, Stream destination, CancellationToken cancellationToken = default)
    {
        await using var writer = new Utf8JsonWriter(destination, NarrationJson.WriterOptions(indented: true));
        writer.WriteStartObject();
        writer.WriteString("video", narration.Video);
        writer.WriteNumber("durationSeconds", NarrationJson.Seconds(narration.DurationSeconds));
        WriteOptionalString(writer, "template", narration.Template);
        WriteOptionalString(writer, "model", narration.Model);
        WriteOptionalString(writer, "segmentation", narration.Segmentation);
        if (narration.State is not null)
        {
            writer.WriteString("state", narration.State);
            WriteOptionalString(writer, "note", narration.StateNote);
        }
        if (narration.Language is { } language)
        {
            writer.WriteString("language", language);
        }
        NarrationJson.WriteTranslations(writer, narration.Translations);
        writer.WriteStartArray("segments");
        foreach (var segment in narration.Segments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.WriteStartObject();
            writer.WriteNumber("index", segment.Index);
            NarrationJson.WriteTimes(writer, segment);
            // Frames are known for a planned segment (end > start); a clip narrated whole keeps no frame count, so none is written rather than 0.
            if (segment.EndFrame > segment.StartFrame)
            {
                writer.WriteNumber("startFrame", segment.StartFrame);
                writer.WriteNumber("endFrame", segment.EndFrame);
            }
            NarrationJson.WriteContent(writer, segment);
            NarrationJson.WriteStats(writer, segment.Stats);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
        await destination.WriteAsync("\n"u8.ToArray(), cancellationToken);
    }

    private static void WriteOptionalString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
