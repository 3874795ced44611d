using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Vision;

namespace Narrator.Model.Media;

/// <summary>
/// The one call that turns a file into model input: probe, plan, extract (one ffmpeg process), patch.
/// The server, the CLI and the generator all go through here so they see exactly the same frames.
/// </summary>
public sealed class MediaPreparer(MediaProber prober, FrameExtractor extractor, ILogger<MediaPreparer>? logger = null)
{
    private readonly ILogger logger = logger ?? NullLogger<MediaPreparer>.Instance;

    /// <summary>A preparer that finds ffmpeg on the PATH and logs nothing.</summary>
    public MediaPreparer()
        : this(new MediaProber(), new FrameExtractor())
    {
    }

    public MediaProber Prober => prober;

    public async Task<PreparedMedia> PrepareAsync(string path, FrameOptions options, CancellationToken cancellationToken)
    {
        var probe = await prober.ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        return await PrepareAsync(path, probe, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Prepares a file already probed (e.g. when the upload was checked before queueing).</summary>
    public Task<PreparedMedia> PrepareAsync(string path, MediaProbe probe, FrameOptions options, CancellationToken cancellationToken) =>
        PrepareAsync(path, probe, FramePlanner.Plan(probe, options), cancellationToken);

    /// <summary>Prepares a file already probed and planned (the plan checked when the request was admitted), without planning again.</summary>
    public Task<PreparedMedia> PrepareAsync(string path, MediaProbe probe, FramePlan plan, CancellationToken cancellationToken) =>
        PrepareAsync(path, probe, plan, firstFrame: 0, cancellationToken);

    /// <summary>
    /// Prepares a stretch of a video (a segment of a long one) as if it were a clip of its own: planned over its
    /// <paramref name="frameCount"/> frames, decoded from <paramref name="firstFrame"/> on. Plan indices are source frame numbers.
    /// </summary>
    public Task<PreparedMedia> PrepareRangeAsync(string path, MediaProbe probe, FrameOptions options, int firstFrame, int frameCount,
        CancellationToken cancellationToken) =>
        PrepareAsync(path, probe, PlanRange(probe, options, firstFrame, frameCount), firstFrame, cancellationToken);

    /// <summary>The frame plan of a stretch of a video planned as a clip of its own; indices are source frame numbers.</summary>
    public static FramePlan PlanRange(MediaProbe probe, FrameOptions options, int firstFrame, int frameCount)
    {
        var plan = FramePlanner.PlanVideo(frameCount, probe.AverageFps, probe.Width, probe.Height, options);
        return plan with { Indices = Array.ConvertAll(plan.Indices, i => i + firstFrame) };
    }

    private async Task<PreparedMedia> PrepareAsync(string path, MediaProbe probe, FramePlan plan, int firstFrame, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var frames = await extractor.ExtractAsync(path, probe, plan, firstFrame, cancellationToken).ConfigureAwait(false);
        var extractMs = stopwatch.ElapsedMilliseconds;
        var (pixelValues, grid) = PatchBuilder.Build(frames);

        var warnings = new List<string>();
        if (frames.Count < plan.NFrames)
        {
            var why = probe.FrameCountEstimated
                ? $"its frame count of {probe.FrameCount} is an estimate from its duration and it holds fewer"
                : "the file is shorter than its header says, or damaged";
            warnings.Add($"Only {frames.Count} of the {plan.NFrames} planned frames could be decoded ({why}); the narration uses those {frames.Count}.");
            // The prompt's token count must match the tensor, so the plan describes what was actually decoded.
            plan = plan with { NFrames = frames.Count, Indices = frames.Indices, Grid = grid };
        }
        if (probe.FrameCountEstimated)
        {
            logger.LogInformation("{File} has no frame count in its header; planned with an estimate of {Frames} from duration x fps",
                Path.GetFileName(path), probe.FrameCount);
        }

        logger.LogInformation(
            "Prepared {File}: {Frames} frames {Width}x{Height}, grid {Grid}, {Tokens} visual tokens (extract {ExtractMs} ms, total {TotalMs} ms)",
            Path.GetFileName(path), frames.Count, plan.ResizedWidth, plan.ResizedHeight, grid, grid.VisualTokens, extractMs,
            stopwatch.ElapsedMilliseconds);
        return new PreparedMedia
        {
            Probe = probe,
            Plan = plan,
            Frames = frames,
            PixelValues = pixelValues,
            Grid = grid,
            Warnings = warnings,
        };
    }
}
