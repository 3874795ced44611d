namespace Narrator.Model.Segmentation;

/// <summary>
/// Turns a video's duration and its scene cuts into segments that cover it in order, each between the minimum and
/// maximum length. Pure arithmetic: the ffmpeg work happens in <see cref="SceneCutDetector"/>.
/// </summary>
public static class SegmentPlanner
{
    /// <summary>Float slack so that a cut exactly at min/max seconds counts as inside the window.</summary>
    private const double Slack = 1e-6;

    /// <summary>The whole video as one segment: what short clips get.</summary>
    public static IReadOnlyList<VideoSegment> Whole(double durationSeconds, double fps, int frameCount) =>
        Build([(durationSeconds, SegmentBoundary.End)], fps, frameCount);

    /// <summary>
    /// Segments that end at scene cuts: scenes shorter than the minimum merge into the next (the last into the previous),
    /// and a stretch longer than the maximum without a usable cut is split into equal parts. Returns false when no cut
    /// could serve as a boundary, so the caller can fall back to <see cref="FixedLength"/>.
    /// </summary>
    public static bool TryFromCuts(double durationSeconds, double fps, int frameCount, IReadOnlyList<double> cutSeconds,
        SegmentationOptions options, out IReadOnlyList<VideoSegment> segments)
    {
        double min = options.MinSegmentSeconds;
        double max = options.MaxSegmentSeconds;
        var cuts = SortedInside(cutSeconds, durationSeconds);
        var ends = new List<(double End, SegmentBoundary Kind)>();
        bool usedCut = false;
        double start = 0;
        int next = 0; // first cut not yet behind `start`
        while (true)
        {
            while (next < cuts.Count && cuts[next] < start + min - Slack)
            {
                next++;
            }
            if (next < cuts.Count && cuts[next] <= start + max + Slack && IsUsableCut(cuts[next], durationSeconds, min))
            {
                start = cuts[next];
                ends.Add((start, SegmentBoundary.SceneCut));
                usedCut = true;
                continue;
            }
            if (durationSeconds - start <= max + Slack)
            {
                ends.Add((durationSeconds, SegmentBoundary.End));
                break;
            }

            // No cut fits the window: split evenly up to the next cut that can end a segment (or the end of the video).
            double target = durationSeconds;
            for (int i = next; i < cuts.Count; i++)
            {
                if (cuts[i] > start + max && IsUsableCut(cuts[i], durationSeconds, min))
                {
                    target = cuts[i];
                    break;
                }
            }
            double stretch = target - start;
            int parts = (int)Math.Ceiling(stretch / max - Slack);
            start += stretch / parts;
            ends.Add((start, SegmentBoundary.Split));
        }

        segments = usedCut ? Build(ends, fps, frameCount) : [];
        return usedCut;
    }

    /// <summary>
    /// Segments of <see cref="SegmentationOptions.FixedSegmentSeconds"/> each; a tail shorter than the minimum joins the
    /// previous segment, or when that would exceed the maximum the last two share the remainder equally.
    /// </summary>
    public static IReadOnlyList<VideoSegment> FixedLength(double durationSeconds, double fps, int frameCount, SegmentationOptions options)
    {
        double length = options.FixedSegmentSeconds;
        var boundaries = new List<double>();
        for (int k = 1; k * length < durationSeconds - Slack; k++)
        {
            boundaries.Add(k * length);
        }
        if (boundaries.Count > 0)
        {
            double last = boundaries[^1];
            double tail = durationSeconds - last;
            if (tail < options.MinSegmentSeconds - Slack)
            {
                double previous = boundaries.Count > 1 ? boundaries[^2] : 0;
                if (durationSeconds - previous <= options.MaxSegmentSeconds + Slack)
                {
                    boundaries.RemoveAt(boundaries.Count - 1);
                }
                else
                {
                    boundaries[^1] = previous + (durationSeconds - previous) / 2;
                }
            }
        }

        var ends = new List<(double End, SegmentBoundary Kind)>(boundaries.Count + 1);
        foreach (double b in boundaries)
        {
            ends.Add((b, SegmentBoundary.Split));
        }
        ends.Add((durationSeconds, SegmentBoundary.End));
        return Build(ends, fps, frameCount);
    }

    /// <summary>The source frame shown at a time: frames are numbered from 0 at the first frame's timestamp.</summary>
    public static int FrameAt(double seconds, double fps, int frameCount) =>
        fps > 0 ? Math.Clamp((int)Math.Round(seconds * fps, MidpointRounding.AwayFromZero), 0, Math.Max(frameCount, 0)) : 0;

    private static bool IsUsableCut(double cut, double durationSeconds, double min) => durationSeconds - cut >= min - Slack;

    private static List<double> SortedInside(IReadOnlyList<double> cutSeconds, double durationSeconds)
    {
        var cuts = new List<double>(cutSeconds.Count);
        foreach (double c in cutSeconds)
        {
            if (double.IsFinite(c) && c > Slack && c < durationSeconds - Slack)
            {
                cuts.Add(c);
            }
        }
        cuts.Sort();
        return cuts;
    }

    private static List<VideoSegment> Build(List<(double End, SegmentBoundary Kind)> ends, double fps, int frameCount)
    {
        var segments = new List<VideoSegment>(ends.Count);
        double start = 0;
        int startFrame = 0;
        for (int i = 0; i < ends.Count; i++)
        {
            var (end, kind) = ends[i];
            int endFrame = i == ends.Count - 1 ? Math.Max(frameCount, 0) : FrameAt(end, fps, frameCount);
            segments.Add(new VideoSegment
            {
                Index = i,
                StartSeconds = start,
                EndSeconds = end,
                StartFrame = startFrame,
                EndFrame = endFrame,
                EndsAt = kind,
            });
            start = end;
            startFrame = endFrame;
        }
        return segments;
    }
}
