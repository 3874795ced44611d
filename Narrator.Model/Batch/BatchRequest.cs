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

    /// <summary>
    /// Put each video's dialogue into its prompt: a subtitle file beside it with the same name (clip.srt or clip.vtt), else
    /// its own default text subtitle stream. A file whose subtitles cannot be read is narrated without them, with a warning.
    /// </summary>
    public bool UseSubtitles { get; init; } = true;

    /// <summary>Languages every narration is translated into by the same model after it is narrated.</summary>
    public IReadOnlyList<Translation.TranslationLanguage> Translate { get; init; } = [];

    /// <summary>How the template's answers are shaped (a tag list or a JSON object is translated keeping that shape).</summary>
    public Templates.TemplateOutputKind OutputKind { get; init; } = Templates.TemplateOutputKind.Prose;
}
