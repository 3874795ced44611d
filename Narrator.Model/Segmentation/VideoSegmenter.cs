using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Media;

namespace Narrator.Model.Segmentation;

/// <summary>
/// Decides how a probed video is divided for narration: whole when it is not longer than the limit, otherwise on scene
/// cuts (falling back to fixed-length pieces when no cut is usable or detection fails) or in fixed-length pieces on request.
/// </summary>
public sealed class VideoSegmenter(SceneCutDetector? detector = null, ILogger<VideoSegmenter>? logger = null)
{
    private readonly SceneCutDetector detector = detector ?? new SceneCutDetector();
    private readonly ILogger logger = logger ?? NullLogger<VideoSegmenter>.Instance;

    public Task<VideoSegmentation> SegmentAsync(string path, MediaProbe probe, SegmentationOptions options, CancellationToken cancellationToken = default) =>
        SegmentAsync(path, probe, options, FfmpegPriority.Normal, cancellationToken);

    /// <summary>As above, with the scene detection's decode at <paramref name="priority"/> (a split nobody waits for yet yields the CPU).</summary>
    public async Task<VideoSegmentation> SegmentAsync(string path, MediaProbe probe, SegmentationOptions options, FfmpegPriority priority,
        CancellationToken cancellationToken = default)
    {
        options.Validate();
        double duration = probe.DurationSeconds;
        if (!options.IsLong(probe))
        {
            return new VideoSegmentation
            {
                Method = SegmentationMethod.Whole,
                Segments = SegmentPlanner.Whole(duration, probe.AverageFps, probe.FrameCount),
            };
        }
        if (options.Mode == SegmentationMode.Fixed)
        {
            return Log(path, new VideoSegmentation
            {
                Method = SegmentationMethod.Fixed,
                Segments = SegmentPlanner.FixedLength(duration, probe.AverageFps, probe.FrameCount, options),
            });
        }

        IReadOnlyList<SceneCut> cuts;
        try
        {
            cuts = await detector.DetectAsync(path, probe, options, priority, cancellationToken);
        }
        catch (MediaException ex)
        {
            return Log(path, FixedFallback(probe, options, [], $"Scene detection failed ({ex.Message}); the video was cut into fixed-length segments instead."));
        }

        var cutSeconds = new double[cuts.Count];
        for (int i = 0; i < cuts.Count; i++)
        {
            cutSeconds[i] = cuts[i].Seconds;
        }
        if (SegmentPlanner.TryFromCuts(duration, probe.AverageFps, probe.FrameCount, cutSeconds, options, out var segments))
        {
            return Log(path, new VideoSegmentation { Method = SegmentationMethod.Scenes, Segments = segments, Cuts = cuts });
        }
        string why = cuts.Count == 0 ? "No scene cuts were found" : $"None of the {cuts.Count} scene cuts leaves segments of the allowed length";
        return Log(path, FixedFallback(probe, options, cuts, $"{why}; the video was cut into fixed-length segments instead."));
    }

    private static VideoSegmentation FixedFallback(MediaProbe probe, SegmentationOptions options, IReadOnlyList<SceneCut> cuts, string warning) => new()
    {
        Method = SegmentationMethod.Fixed,
        Segments = SegmentPlanner.FixedLength(probe.DurationSeconds, probe.AverageFps, probe.FrameCount, options),
        Cuts = cuts,
        Warnings = [warning],
    };

    private VideoSegmentation Log(string path, VideoSegmentation segmentation)
    {
        logger.LogInformation("Split {File} into {Segments} segments by {Method}", Path.GetFileName(path), segmentation.Segments.Count, segmentation.MethodName);
        foreach (var warning in segmentation.Warnings)
        {
            logger.LogWarning("{File}: {Warning}", Path.GetFileName(path), warning);
        }
        return segmentation;
    }
}
