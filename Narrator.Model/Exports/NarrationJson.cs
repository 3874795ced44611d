using System.Text.Encodings.Web;
using System.Text.Json;
using Narrator.Model.Generation;

namespace Narrator.Model.Exports;

/// <summary>The JSON shape of narration segments, shared by the JSON and NDJSON exports so the two never drift apart.</summary>
internal static class NarrationJson
{
    /// <summary>Chinese stays readable in the files; these are documents, not HTML, so relaxed escaping is safe.</summary>
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web) { Encoder = Encoder };

    public static JsonWriterOptions WriterOptions(bool indented) => new() { Encoder = Encoder, Indented = indented };

    /// <summary>Seconds to the millisecond: what subtitles can express and what people read.</summary>
    public static double Seconds(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);

    public static void WriteTimes(Utf8JsonWriter writer, NarrationSegment segment)
    {
        writer.WriteNumber("start", Seconds(segment.StartSeconds));
        writer.WriteNumber("end", Seconds(segment.EndSeconds));
    }

    public static void WriteContent(Utf8JsonWriter writer, NarrationSegment segment)
    {
        writer.WriteString("text", segment.Text);
        if (segment.Tags is { } tags)
        {
            writer.WriteStartArray("tags");
            foreach (var tag in tags)
            {
                writer.WriteStringValue(tag);
            }
            writer.WriteEndArray();
        }
        if (segment.Json is { } json)
        {
            writer.WritePropertyName("json");
            json.WriteTo(writer);
        }
        if (segment.Error is { } error)
        {
            writer.WriteString("error", error);
        }
        WriteTranslations(writer, segment.Translations);
    }

    /// <summary><c>"translations": {"fr": "...", "es": "..."}</c>, written only when there are any.</summary>
    public static void WriteTranslations(Utf8JsonWriter writer, IReadOnlyDictionary<string, string>? translations)
    {
        if (translations is not { Count: > 0 })
        {
            return;
        }
        writer.WriteStartObject("translations");
        foreach (var (language, text) in translations.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteString(language, text);
        }
        writer.WriteEndObject();
    }

    public static void WriteStats(Utf8JsonWriter writer, GenerationStats? stats)
    {
        if (stats is null)
        {
            return;
        }
        writer.WritePropertyName("stats");
        JsonSerializer.Serialize(writer, stats, SerializerOptions);
    }
}
