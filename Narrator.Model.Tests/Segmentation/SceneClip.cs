using System.Globalization;
using Narrator.Model.Media;

namespace Narrator.Model.Tests.Segmentation;

/// <summary>
/// Writes H.264 clips made of distinct lavfi sources played one after another, so the scene cuts are known exactly:
/// they fall at the running sums of the scene durations.
/// </summary>
internal static class SceneClip
{
    public const int Fps = 25;
    public const int Width = 160;
    public const int Height = 120;

    /// <summary>Sources whose neighbours differ a lot; each accepts <c>d</c>, <c>s</c> and <c>r</c>.</summary>
    public static readonly string[] DistinctSources = ["testsrc", "smptebars", "color=c=red", "testsrc2", "color=c=blue", "rgbtestsrc", "color=c=yellow", "smptehdbars"];

    public static async Task<string> WriteAsync(string path, IReadOnlyList<(string Source, double Seconds)> scenes)
    {
        var arguments = new List<string>();
        var graph = new System.Text.StringBuilder();
        for (int i = 0; i < scenes.Count; i++)
        {
            string source = scenes[i].Source;
            string separator = source.Contains('=') ? ":" : "=";
            arguments.AddRange(["-f", "lavfi", "-i",
                string.Create(CultureInfo.InvariantCulture, $"{source}{separator}d={scenes[i].Seconds}:s={Width}x{Height}:r={Fps}")]);
            graph.Append(CultureInfo.InvariantCulture, $"[{i}:v]");
        }
        graph.Append(CultureInfo.InvariantCulture, $"concat=n={scenes.Count}:v=1:a=0,format=yuv420p");
        arguments.AddRange(["-filter_complex", graph.ToString(), "-c:v", "libx264", "-preset", "ultrafast", "-g", "250", path]);
        await TestFfmpeg.RunAsync(arguments);
        return path;
    }

    /// <summary>Cut times implied by the scene list: the start of every scene but the first.</summary>
    public static double[] CutTimes(IReadOnlyList<(string Source, double Seconds)> scenes)
    {
        var cuts = new double[scenes.Count - 1];
        double t = 0;
        for (int i = 0; i < cuts.Length; i++)
        {
            t += scenes[i].Seconds;
            cuts[i] = t;
        }
        return cuts;
    }

    /// <summary>What the media prober reports for these clips (written by hand so these tests stand alone).</summary>
    public static MediaProbe Probe(IReadOnlyList<(string Source, double Seconds)> scenes)
    {
        double duration = scenes.Sum(s => s.Seconds);
        return new MediaProbe
        {
            Kind = MediaKind.Video,
            Container = "mov,mp4,m4a,3gp,3g2,mj2",
            VideoCodec = "h264",
            Width = Width,
            Height = Height,
            AverageFps = Fps,
            DurationSeconds = duration,
            FrameCount = (int)Math.Round(duration * Fps),
        };
    }
}
