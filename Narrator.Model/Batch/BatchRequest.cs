using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;

namespace Narrator.Model.Batch;

/// <summary>A batch: which files, with which prompt and settings, and where the results go.</summary>
public sealed record BatchRequest
{
    /// <summary>Folders (searched recursively) and files.</summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    public required string OutputPath { get; init; }

    public BatchFormat Format { get; init; } = BatchFormat.Json;

    public required string Prompt { get; init; }

    public string? Template { get; init; }

    public FrameOptions Frames { get; init; } = new();

    public GenerationOptions Generation { get; init; } = new();

    public SegmentationOptions Segmentation { get; init; } = new();

    /// <summary>Fills tags or JSON from the text per the template's output kind.</summary>
    public Func<NarrationSegment, NarrationSegment>? Finish { get; init; }

    /// <summary>Timestamped files written for each narrated file (e.g. SRT next to the video, NDJSON for a search index).</summary>
    public IReadOnlyList<ExportFormat> Exports { get; init; } = [];

    /// <summary>Where <see cref="Exports"/> go; null means the folder of <see cref="OutputPath"/>.</summary>
    public string? ExportFolder { get; init; }

    /// <summary>Run files that failed in the existing output again (by default they count as finished, like successes).</summary>
    public bool RetryFailed { get; init; }
}
