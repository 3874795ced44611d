using System.Text.Json;
using System.Text.Json.Serialization;
using Narrator.Model.Exports;

namespace Narrator.Model.Batch;

/// <summary>One file's line in the batch results: what it is, what the model saw and said, and what it cost.</summary>
public sealed record BatchItem
{
    public const string Ok = "ok";
    public const string Failed = "failed";

    /// <summary>The path as it was found (relative to the working directory when given that way).</summary>
    public required string File { get; init; }

    /// <summary><see cref="Ok"/> or <see cref="Failed"/>.</summary>
    public required string Status { get; init; }

    /// <summary>Why it failed, as one sentence; null when it succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>File size in bytes: with the template, it tells a resumed run whether the finished result still applies.</summary>
    public long Size { get; init; }

    /// <summary>"video" or "image"; null when the file could not be probed.</summary>
    public string? Kind { get; init; }

    public double? Duration { get; init; }

    public double? Fps { get; init; }

    /// <summary>Source frames in the video (1 for a still).</summary>
    public int? Frames { get; init; }

    public int? Width { get; init; }

    public int? Height { get; init; }

    /// <summary>The frames the model saw; for a segmented video, the plan of each segment is in <see cref="Segments"/>.</summary>
    public BatchFramePlan? Plan { get; init; }

    public string? Template { get; init; }

    /// <summary>The narration; for a segmented video, the segments' texts in order separated by blank lines.</summary>
    public string? Text { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    public JsonElement? Json { get; init; }

    /// <summary>The narration in other languages, by language code (a long video's segments carry their own parts).</summary>
    public IReadOnlyDictionary<string, string>? Translations { get; init; }

    /// <summary>Where the dialogue in the prompt came from (a subtitle file or one of the video's streams); null without.</summary>
    public string? Subtitles { get; init; }

    public BatchTokens? Tokens { get; init; }

    public BatchTimes? Times { get; init; }

    /// <summary>"scenes" or "fixed" when the video was longer than the limit and narrated in segments.</summary>
    public string? Segmentation { get; init; }

    public IReadOnlyList<NarrationSegment>? Segments { get; init; }

    public IReadOnlyList<string>? Warnings { get; init; }

    /// <summary>Timestamped files written for this item (SRT, WebVTT, NDJSON, ...), when exports were asked for.</summary>
    public IReadOnlyList<string>? Exports { get; init; }

    [JsonIgnore]
    public bool IsOk => Status == Ok;
}

/// <summary>A frame plan as <c>narrator plan</c> prints it.</summary>
public sealed record BatchFramePlan
{
    [JsonPropertyName("nframes")]
    public int NFrames { get; init; }

    public int[] Indices { get; init; } = [];

    public double SampleFps { get; init; }

    public double SecondPerGridT { get; init; }

    public int ResizedWidth { get; init; }

    public int ResizedHeight { get; init; }

    /// <summary>[t, h, w] patch grid.</summary>
    public int[] Grid { get; init; } = [];

    public int VisualTokens { get; init; }
}

public sealed record BatchTokens
{
    public int Prompt { get; init; }

    public int Visual { get; init; }

    public int Generated { get; init; }
}

/// <summary>Wall times in milliseconds for one file.</summary>
public sealed record BatchTimes
{
    public double ProbeMs { get; init; }

    /// <summary>Scene detection and segment planning (0 for a clip narrated whole).</summary>
    public double SegmentMs { get; init; }

    /// <summary>Frame planning, decoding and patching, summed over segments.</summary>
    public double PrepareMs { get; init; }

    /// <summary>Engine time (vision, prefill, decode), summed over segments.</summary>
    public double GenerateMs { get; init; }

    /// <summary>Time to first token of the first segment.</summary>
    public double TimeToFirstTokenMs { get; init; }

    public double TokensPerSecond { get; init; }

    public double TotalMs { get; init; }
}
