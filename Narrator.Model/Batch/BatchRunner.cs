using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Subtitles;
using Narrator.Model.Translation;

namespace Narrator.Model.Batch;

/// <summary>
/// Narrates every video and image under the given folders and files through the engine seat, one at a time, writing the
/// results file after each. A bad file is recorded as failed with the reason and the run goes on; finished files found in
/// an existing results file are kept and not run again; cancelling stops the current file and keeps everything finished.
/// </summary>
public sealed class BatchRunner(IChatClient engine, MediaPreparer preparer, VideoSegmenter segmenter, ILogger<BatchRunner>? logger = null,
    SubtitleStreamReader? subtitleReader = null)
{
    /// <summary>The most tokens one segment's translation may take.</summary>
    public const int TranslationTokenLimit = 4096;

    private readonly ILogger logger = logger ?? NullLogger<BatchRunner>.Instance;
    private readonly TimedNarrator narrator = new(engine, preparer, segmenter);
    private readonly NarrationTranslator translator = new(engine);
    private readonly SubtitleStreamReader subtitles = subtitleReader ?? new SubtitleStreamReader();

    public async Task<BatchReport> RunAsync(BatchRequest request, IBatchProgress? progress = null, CancellationToken cancellationToken = default)
    {
        request.Segmentation.Validate();
        var runWatch = Stopwatch.StartNew();
        var inputs = BatchInputs.Discover(request.Inputs, request.OutputPath);
        var previous = await BatchReportFile.ReadItemsAsync(request.OutputPath, cancellationToken);

        var previousByPath = new Dictionary<string, BatchItem>(StringComparer.Ordinal);
        foreach (var item in previous)
        {
            previousByPath[Path.GetFullPath(item.File)] = item;
        }

        // Results in input order; null marks a file still to run.
        var slots = new BatchItem?[inputs.Media.Count];
        var toRun = new List<int>();
        int resumed = 0;
        for (int i = 0; i < inputs.Media.Count; i++)
        {
            string full = Path.GetFullPath(inputs.Media[i]);
            if (previousByPath.Remove(full, out var done) && IsStillFinished(done, inputs.Media[i], request))
            {
                slots[i] = done;
                resumed++;
            }
            else
            {
                toRun.Add(i);
            }
        }
        var exportNames = ExportNames(inputs.Media);
        // Results for files outside this run's inputs are kept too: a resumed run with fewer inputs loses nothing.
        var others = previousByPath.Values.ToList();

        logger.LogInformation("Batch: {ToRun} file(s) to run, {Resumed} kept from {Output}, {Skipped} skipped",
            toRun.Count, resumed, request.OutputPath, inputs.Skipped.Count);
        progress?.OnBatchStarted(toRun.Count, resumed, inputs.Skipped);

        bool interrupted = false;
        for (int n = 0; n < toRun.Count; n++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }
            int slot = toRun[n];
            string file = inputs.Media[slot];
            progress?.OnItemStarted(file, n + 1, toRun.Count);
            BatchItem item;
            try
            {
                item = await RunItemAsync(file, exportNames[file], request, progress, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }
            slots[slot] = item;
            progress?.OnItemFinished(item, n + 1, toRun.Count);
            await BatchReportFile.WriteAsync(request.OutputPath, Report(slots, others, inputs, resumed, request, runWatch, interrupted: n + 1 < toRun.Count),
                request.Format, CancellationToken.None);
        }

        var report = Report(slots, others, inputs, resumed, request, runWatch, interrupted);
        await BatchReportFile.WriteAsync(request.OutputPath, report, request.Format, CancellationToken.None);
        return report;
    }

    private async Task<BatchItem> RunItemAsync(string file, string exportName, BatchRequest request, IBatchProgress? progress, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        long size = new FileInfo(file).Length;
        var failed = new BatchItem { File = file, Status = BatchItem.Failed, Size = size, Template = request.Template };
        MediaProbe probe;
        try
        {
            probe = await preparer.Prober.ProbeAsync(file, cancellationToken);
        }
        catch (UserInputException ex)
        {
            logger.LogWarning("Batch: {File} failed: {Error}", file, ex.Message);
            return failed with { Error = ex.Message, Times = new BatchTimes { ProbeMs = watch.Elapsed.TotalMilliseconds, TotalMs = watch.Elapsed.TotalMilliseconds } };
        }
        double probeMs = watch.Elapsed.TotalMilliseconds;
        failed = failed with
        {
            Kind = probe.Kind == MediaKind.Image ? "image" : "video",
            Duration = probe.DurationSeconds,
            Fps = probe.AverageFps,
            Frames = probe.FrameCount,
            Width = probe.Width,
            Height = probe.Height,
        };

        var warnings = new List<string>();
        SubtitleTrack? dialogue = null;
        string? sidecar = null;
        if (request.UseSubtitles && probe.Kind == MediaKind.Video)
        {
            try
            {
                (dialogue, sidecar) = await FindSubtitlesAsync(file, probe, cancellationToken);
            }
            catch (UserInputException ex)
            {
                warnings.Add($"The subtitles were not used: {ex.Message}");
            }
        }

        try
        {
            var result = await narrator.NarrateAsync(new TimedNarrationRequest
            {
                Path = file,
                Video = file,
                Probe = probe,
                Prompt = request.Prompt,
                Subtitles = dialogue,
                Template = request.Template,
                Options = new(request.Frames, request.Generation),
                Segmentation = request.Segmentation,
                Finish = request.Finish,
            }, progress, cancellationToken);
            var narration = result.Narration;
            foreach (var language in request.Translate)
            {
                try
                {
                    narration = narration.With(await translator.TranslateAsync(narration, language, request.OutputKind, TranslationTokenLimit,
                        null, cancellationToken));
                }
                catch (UserInputException ex)
                {
                    warnings.Add($"The translation into {language.Code} failed: {ex.Message}");
                }
            }
            result = result with { Narration = narration, Warnings = [.. result.Warnings, .. warnings] };
            var exported = await ExportAsync(narration, file, exportName, request, sidecar, cancellationToken);
            return Succeeded(failed, result, probeMs, watch.Elapsed.TotalMilliseconds) with { Exports = exported, Subtitles = dialogue?.Source };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A bad file (or an engine error on it) must not stop the rest of the batch.
            if (ex is UserInputException)
            {
                logger.LogWarning("Batch: {File} failed: {Error}", file, ex.Message);
            }
            else
            {
                logger.LogError(ex, "Batch: {File} failed unexpectedly", file);
            }
            return failed with { Error = ex.Message, Times = new BatchTimes { ProbeMs = probeMs, TotalMs = watch.Elapsed.TotalMilliseconds } };
        }
    }

    /// <summary>The subtitle file beside <paramref name="file"/> (clip.srt, then clip.vtt), else the video's own default text stream, else none.</summary>
    private async Task<(SubtitleTrack? Track, string? Sidecar)> FindSubtitlesAsync(string file, MediaProbe probe, CancellationToken cancellationToken)
    {
        foreach (string extension in SubtitleFileReader.Extensions)
        {
            string beside = Path.ChangeExtension(file, extension);
            if (File.Exists(beside))
            {
                return (await SubtitleFileReader.ReadFileAsync(beside, cancellationToken), beside);
            }
        }
        var streams = await subtitles.ListAsync(file, probe, cancellationToken);
        return (await SubtitleResolver.ResolveAsync(SubtitleSelection.Auto, null, streams,
            (stream, ct) => subtitles.ExtractAsync(file, probe, stream, ct), cancellationToken), null);
    }

    /// <summary>
    /// Writes the requested timestamped files for one narrated file; names follow the file (clip.mp4 → clip.srt). Subtitle
    /// and text formats are also written per translation (clip.fr.srt); JSON and NDJSON carry the translations inside. An
    /// export never replaces the subtitle file the video's dialogue was read from: it becomes clip.narration.srt instead.
    /// </summary>
    private static async Task<IReadOnlyList<string>?> ExportAsync(TimedNarration narration, string file, string exportName, BatchRequest request,
        string? sidecar, CancellationToken cancellationToken)
    {
        if (request.Exports.Count == 0)
        {
            return null;
        }
        string folder = request.ExportFolder ?? Path.GetDirectoryName(Path.GetFullPath(request.OutputPath))!;
        Directory.CreateDirectory(folder);
        var written = new List<string>(request.Exports.Count);
        var named = narration with { Video = Path.GetFileName(file) };
        foreach (var format in request.Exports)
        {
            string path = Path.Combine(folder, exportName + format.FileExtension());
            if (sidecar is not null && Path.GetFullPath(path) == Path.GetFullPath(sidecar))
            {
                path = Path.Combine(folder, exportName + ".narration" + format.FileExtension());
            }
            await NarrationExport.WriteFileAsync(format, named, path, cancellationToken);
            written.Add(path);
            if (!format.HoldsTranslations)
            {
                foreach (string language in named.Translations?.Keys ?? [])
                {
                    string translatedPath = Path.Combine(folder, $"{exportName}.{language}{format.FileExtension()}");
                    await NarrationExport.WriteFileAsync(format, named.InLanguage(language), translatedPath, cancellationToken);
                    written.Add(translatedPath);
                }
            }
        }
        return written;
    }

    /// <summary>
    /// Export file names without extension: the media file's own name, or, when two inputs share it (a/clip.mp4 and
    /// b/clip.mov), the path as given with separators turned into underscores, so no export overwrites another.
    /// </summary>
    internal static Dictionary<string, string> ExportNames(IReadOnlyList<string> media)
    {
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in media)
        {
            string stem = Path.GetFileNameWithoutExtension(file);
            counts[stem] = counts.GetValueOrDefault(stem) + 1;
        }
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in media)
        {
            string stem = Path.GetFileNameWithoutExtension(file);
            names[file] = counts[stem] == 1 ? stem
                : Path.ChangeExtension(file, null).TrimStart('.', '/', '\\').Replace('/', '_').Replace('\\', '_').Replace(':', '_')
                    + "_" + Path.GetExtension(file).TrimStart('.');
        }
        return names;
    }

    private static BatchItem Succeeded(BatchItem described, TimedNarrationResult result, double probeMs, double totalMs)
    {
        var segments = result.Narration.Segments;
        bool whole = result.Segmentation.Method == SegmentationMethod.Whole;
        var total = result.Narration.TotalStats();
        var first = segments[0];
        return described with
        {
            Status = BatchItem.Ok,
            Plan = whole && result.Plans[0] is { } plan ? ToBatchPlan(plan) : null,
            Text = whole ? first.Text : JoinTexts(segments),
            Tags = whole ? first.Tags : null,
            Json = whole ? first.Json : null,
            Translations = result.Narration.Translations,
            Tokens = new BatchTokens { Prompt = total.PromptTokens, Visual = total.VisualTokens, Generated = total.GeneratedTokens },
            Times = new BatchTimes
            {
                ProbeMs = probeMs,
                SegmentMs = result.SegmentMilliseconds,
                PrepareMs = result.PrepareMilliseconds,
                GenerateMs = result.GenerateMilliseconds,
                TimeToFirstTokenMs = first.Stats?.TimeToFirstTokenMilliseconds ?? 0,
                TokensPerSecond = total.TokensPerSecond,
                TotalMs = totalMs,
            },
            Segmentation = whole ? null : result.Segmentation.MethodName,
            Segments = whole ? null : segments,
            Warnings = result.Warnings.Count > 0 ? result.Warnings : null,
        };
    }

    public static BatchFramePlan ToBatchPlan(FramePlan plan) => new()
    {
        NFrames = plan.NFrames,
        Indices = plan.Indices,
        SampleFps = plan.SampleFps,
        SecondPerGridT = plan.SecondPerGridT,
        ResizedWidth = plan.ResizedWidth,
        ResizedHeight = plan.ResizedHeight,
        Grid = plan.Grid.ToArray(),
        VisualTokens = plan.VisualTokens,
    };

    private static string JoinTexts(IReadOnlyList<NarrationSegment> segments)
    {
        var parts = new List<string>(segments.Count);
        foreach (var s in segments)
        {
            if (s.Error is null && s.Text.Length > 0)
            {
                parts.Add(s.Text.Trim());
            }
        }
        return string.Join("\n\n", parts);
    }

    /// <summary>A finished item is kept when the file is the same size and was narrated with the same template.</summary>
    private static bool IsStillFinished(BatchItem done, string file, BatchRequest request) =>
        (done.IsOk || (done.Status == BatchItem.Failed && !request.RetryFailed))
        && done.Size == new FileInfo(file).Length
        && done.Template == request.Template;

    private BatchReport Report(BatchItem?[] slots, List<BatchItem> others, BatchInputs inputs, int resumed, BatchRequest request,
        Stopwatch runWatch, bool interrupted)
    {
        var items = new List<BatchItem>(slots.Length + others.Count);
        foreach (var item in slots)
        {
            if (item is not null)
            {
                items.Add(item);
            }
        }
        items.AddRange(others);

        int ok = 0;
        double totalMs = 0;
        foreach (var item in items)
        {
            ok += item.IsOk ? 1 : 0;
            totalMs += item.Times?.TotalMs ?? 0;
        }
        var info = engine.GetService<EngineInfo>();
        return new BatchReport
        {
            Items = items,
            Totals = new BatchTotals
            {
                Files = items.Count,
                Ok = ok,
                Failures = items.Count - ok,
                Resumed = resumed,
                Skipped = inputs.Skipped,
                TotalSeconds = Math.Round(totalMs / 1000, 3),
                AverageSeconds = items.Count > 0 ? Math.Round(totalMs / 1000 / items.Count, 3) : 0,
                RunSeconds = Math.Round(runWatch.Elapsed.TotalSeconds, 3),
                Interrupted = interrupted,
                Model = info is null ? null : new BatchModel { Name = info.ModelName, ExecutionProvider = info.ExecutionProvider, Demo = info.IsDemoModel },
                Options = new BatchRunOptions
                {
                    Template = request.Template,
                    Prompt = request.Prompt,
                    Frames = request.Frames,
                    Generation = request.Generation,
                    Segmentation = request.Segmentation,
                },
            },
        };
    }
}
