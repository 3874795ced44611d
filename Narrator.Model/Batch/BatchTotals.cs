using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;

namespace Narrator.Model.Batch;

/// <summary>The summary line of a batch: counts, times, and what produced the results.</summary>
public sealed record BatchTotals
{
    /// <summary>Media files with a result (finished now or kept from an earlier run).</summary>
    public int Files { get; init; }

    public int Ok { get; init; }

    public int Failures { get; init; }

    /// <summary>Finished items kept from an existing output and not run again.</summary>
    public int Resumed { get; init; }

    /// <summary>Files that are not videos or images, left alone.</summary>
    public IReadOnlyList<SkippedFile> Skipped { get; init; } = [];

    /// <summary>Sum of the items' total times, in seconds.</summary>
    public double TotalSeconds { get; init; }

    public double AverageSeconds { get; init; }

    /// <summary>Wall time of this run, in seconds (a resumed run counts only itself).</summary>
    public double RunSeconds { get; init; }

    /// <summary>True when the run was stopped (Ctrl+C) before every file was done; running it again resumes.</summary>
    public bool Interrupted { get; init; }

    public BatchModel? Model { get; init; }

    public BatchRunOptions? Options { get; init; }
}

/// <summary>A file the batch left alone, and why.</summary>
public sealed record SkippedFile(string File, string Reason);

public sealed record BatchModel
{
    public required string Name { get; init; }

    public string ExecutionProvider { get; init; } = "";

    public bool Demo { get; init; }
}

/// <summary>The settings every item ran with.</summary>
public sealed record BatchRunOptions
{
    public string? Template { get; init; }

    public string? Prompt { get; init; }

    public FrameOptions? Frames { get; init; }

    public GenerationOptions? Generation { get; init; }

    public SegmentationOptions? Segmentation { get; init; }
}
