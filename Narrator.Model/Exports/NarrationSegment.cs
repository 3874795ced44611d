using System.Text.Json;
using System.Text.Json.Serialization;
using Narrator.Model.Generation;

namespace Narrator.Model.Exports;

/// <summary>The narration of one stretch of a video: where it is, what the model said, and what it cost.</summary>
public sealed record NarrationSegment
{
    /// <summary>Position in the video, 0-based.</summary>
    public required int Index { get; init; }

    /// <summary>Seconds from the first frame; serialised as <c>start</c> like in the exports.</summary>
    [JsonPropertyName("start")]
    public required double StartSeconds { get; init; }

    [JsonPropertyName("end")]
    public required double EndSeconds { get; init; }

    /// <summary>First source frame of the stretch.</summary>
    public int StartFrame { get; init; }

    /// <summary>One past the last source frame of the stretch.</summary>
    public int EndFrame { get; init; }

    /// <summary>The model's text as generated (raw, also for tag and JSON templates).</summary>
    public string Text { get; init; } = "";

    /// <summary>Post-processed tags when the template's output kind is tags.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>The extracted object when the template's output kind is JSON and it parsed.</summary>
    public JsonElement? Json { get; init; }

    public GenerationStats? Stats { get; init; }

    /// <summary>Why this stretch has no narration (it failed or was cancelled); null when it succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>This stretch's text in other languages, by language code (e.g. "fr"); null when it was never translated.</summary>
    public IReadOnlyDictionary<string, string>? Translations { get; init; }

    [JsonIgnore]
    public double DurationSeconds => EndSeconds - StartSeconds;

    /// <summary>What a reader or a subtitle track shows: the tags as one line, the extracted object as compact JSON, else the text.</summary>
    [JsonIgnore]
    public string DisplayText => Tags is { Count: > 0 } tags ? string.Join(", ", tags)
        : Json is { } json ? JsonSerializer.Serialize(json, NarrationJson.SerializerOptions)
        : Text;
}
