using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;

namespace Narrator.Model.Segmentation;

/// <summary>
/// Narrates a video through the engine seat: a short clip whole, a long one segment by segment (each planned as a clip
/// of its own), giving a timestamped result. The next segment's frames are prepared on the CPU while the engine works
/// on the current one. A segment whose frames cannot be decoded is recorded as failed and the others still run.
/// Scene detection and frame preparation go through <paramref name="mediaWork"/> (a server's bounded pool), directly otherwise.
/// </summary>
public sealed class TimedNarrator(IChatClient engine, MediaPreparer preparer, VideoSegmenter segmenter, ILogger<TimedNarrator>? logger = null,
    IMediaWorkRunner? mediaWork = null)
{
    private readonly ILogger logger = logger ?? NullLogger<TimedNarrator>.Instance;
    private readonly IMediaWorkRunner mediaWork = mediaWork ?? DirectMediaWorkRunner.Instance;

    public async Task<TimedNarrationResult> NarrateAsync(TimedNarrationRequest request, INarrationProgress? progress = null,
        CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var probe = request.Probe ?? await preparer.Prober.ProbeAsync(request.Path, cancellationToken);
        double probeMs = watch.Elapsed.TotalMilliseconds;

        watch.Restart();
        var segmentation = request.KnownSegmentation
            ?? await mediaWork.RunAsync(ct => segmenter.SegmentAsync(request.Path, probe, request.Segmentation, ct), cancellationToken);
        double segmentMs = watch.Elapsed.TotalMilliseconds;
        progress?.OnSegmented(segmentation);

        var segments = segmentation.Segments;
        var results = new NarrationSegment[segments.Count];
        var plans = new FramePlan?[segments.Count];
        var warnings = new List<string>(segmentation.Warnings);
        double prepareMs = 0;
        double generateMs = 0;
        string? firstError = null;

        var next = StartPreparing(request, probe, segmentation, 0, cancellationToken);
        try
        {
            for (int k = 0; k < segments.Count; k++)
            {
                var segment = segments[k];
                progress?.OnSegmentStarted(segment, segments.Count);
                progress?.OnStage(NarrationStage.PreparingFrames);
                var preparing = next;
                next = null;
                var (media, error, ms) = await preparing!;
                cancellationToken.ThrowIfCancellationRequested();
                prepareMs += ms;
                if (k + 1 < segments.Count)
                {
                    next = StartPreparing(request, probe, segmentation, k + 1, cancellationToken);
                }

                NarrationSegment result;
                if (media is null)
                {
                    if (segmentation.Method == SegmentationMethod.Whole)
                    {
                        throw new MediaException(error!);
                    }
                    firstError ??= error;
                    warnings.Add($"Segment {k + 1} of {segments.Count} could not be prepared: {error}");
                    result = Describe(segment, probe, segmentation) with { Error = error };
                }
                else
                {
                    plans[k] = media.Plan;
                    warnings.AddRange(media.Warnings);
                    var planned = Describe(segment, probe, segmentation);
                    string prompt = PromptFor(request, planned);
                    var call = await NarrationCall.RunAsync(engine, media, prompt, request.Options.Generation, progress, cancellationToken);
                    generateMs += call.Stats.TotalMilliseconds;
                    result = planned with { Text = call.Text, Stats = call.Stats };
                    if (request.Finish is { } finish)
                    {
                        result = finish(result);
                    }
                }
                results[k] = result;
                progress?.OnSegmentCompleted(result, segments.Count);
            }
        }
        finally
        {
            if (next is not null)
            {
                await next; // never leave a decode running (it observes the same token)
            }
        }

        if (firstError is not null && Array.TrueForAll(results, r => r.Error is not null))
        {
            throw new MediaException(firstError);
        }
        logger.LogInformation("Narrated {Video}: {Segments} segment(s) by {Method}, prepare {PrepareMs:0} ms, generate {GenerateMs:0} ms",
            request.Video, segments.Count, segmentation.MethodName, prepareMs, generateMs);
        return new TimedNarrationResult
        {
            Narration = new TimedNarration
            {
                Video = request.Video,
                DurationSeconds = probe.DurationSeconds,
                Segments = results,
                Template = request.Template,
                Model = engine.GetService<EngineInfo>()?.ModelName,
                Segmentation = segmentation.MethodName,
            },
            Probe = probe,
            Segmentation = segmentation,
            Plans = plans,
            ProbeMilliseconds = probeMs,
            SegmentMilliseconds = segmentMs,
            PrepareMilliseconds = prepareMs,
            GenerateMilliseconds = generateMs,
            Warnings = warnings,
        };
    }

    /// <summary>The prompt one segment (or a whole clip) is narrated with: the request's, with the dialogue on screen during it.</summary>
    public static string PromptFor(TimedNarrationRequest request, NarrationSegment segment) =>
        Subtitles.SubtitlePrompt.Compose(request.Prompt, request.Subtitles, segment.StartSeconds, segment.EndSeconds);

    private Task<(PreparedMedia? Media, string? Error, double Milliseconds)> StartPreparing(TimedNarrationRequest request, MediaProbe probe,
        VideoSegmentation segmentation, int k, CancellationToken cancellationToken) => Task.Run(async () =>
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var segment = segmentation.Segments[k];
                var media = await mediaWork.RunAsync(ct => segmentation.Method == SegmentationMethod.Whole
                    ? preparer.PrepareAsync(request.Path, probe, request.Options.Frames, ct)
                    : preparer.PrepareRangeAsync(request.Path, probe, request.Options.Frames, segment.StartFrame, segment.FrameCount, ct), cancellationToken);
                return (media, (string?)null, watch.Elapsed.TotalMilliseconds);
            }
            catch (UserInputException ex)
            {
                return ((PreparedMedia?)null, ex.Message, watch.Elapsed.TotalMilliseconds);
            }
            catch (OperationCanceledException)
            {
                return ((PreparedMedia?)null, "cancelled", watch.Elapsed.TotalMilliseconds);
            }
        }, CancellationToken.None);

    /// <summary>The stretch a segment covers as exports show it (a clip narrated whole ends where the probe says it does).</summary>
    public static NarrationSegment Describe(VideoSegment segment, MediaProbe probe, VideoSegmentation segmentation) =>
        segmentation.Method == SegmentationMethod.Whole ? segment.ToPlanned() with { EndSeconds = probe.DurationSeconds } : segment.ToPlanned();
}
