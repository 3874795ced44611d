using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Media;

namespace Narrator.Model.Segmentation;

/// <summary>
/// Finds scene cuts with one ffmpeg pass: <c>select='gt(scene,T)'</c> keeps only frames whose scene score exceeds the
/// threshold and <c>metadata=print</c> writes their timestamps and scores to stdout, which is parsed as it streams.
/// Timestamps are reset to start at the first frame, so they line up with frame indices.
/// </summary>
public sealed class SceneCutDetector(FfmpegTools? tools = null, ILogger<SceneCutDetector>? logger = null)
{
    private const int StderrLinesKept = 8;

    private readonly ILogger logger = logger ?? NullLogger<SceneCutDetector>.Instance;

    public async Task<IReadOnlyList<SceneCut>> DetectAsync(string path, SegmentationOptions options, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new MediaException($"The file '{path}' does not exist.");
        }
        var start = new ProcessStartInfo((tools ?? FfmpegTools.Default).FfmpegPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string threshold = options.SceneThreshold.ToString("0.######", CultureInfo.InvariantCulture);
        foreach (string argument in (string[])
        [
            "-hide_banner", "-nostats", "-nostdin", "-loglevel", "error",
            "-i", path, "-map", "0:v:0", "-an", "-sn", "-dn",
            // The backslash pair survives the filtergraph's unescaping as the option escape for "pipe:1".
            "-filter:v", $"setpts=PTS-STARTPTS,{Downscale(options.AnalysisWidth)}select='gt(scene,{threshold})',metadata=print:file=pipe\\\\:1",
            "-f", "null", "-",
        ])
        {
            start.ArgumentList.Add(argument);
        }

        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new MediaException($"ffmpeg could not be started ({start.FileName}); install ffmpeg or set its folder.", ex);
        }
        await using var kill = cancellationToken.Register(() => KillQuietly(process));

        var stderrTail = new Queue<string>();
        var stderrTask = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(CancellationToken.None) is { } line)
            {
                if (stderrTail.Count == StderrLinesKept)
                {
                    stderrTail.Dequeue();
                }
                stderrTail.Enqueue(line);
            }
        }, CancellationToken.None);

        var cuts = new List<SceneCut>();
        double? pendingTime = null;
        while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
        {
            if (TryParseFrameTime(line, out double time))
            {
                pendingTime = time;
            }
            else if (pendingTime is double t && TryParseScore(line, out double score))
            {
                cuts.Add(new SceneCut(t, score));
                pendingTime = null;
            }
        }
        await stderrTask;
        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();

        if (process.ExitCode != 0)
        {
            string reason = stderrTail.Count > 0 ? stderrTail.Last().Trim() : $"exit code {process.ExitCode}";
            throw new MediaException($"ffmpeg could not decode '{Path.GetFileName(path)}' to find scene cuts: {reason}");
        }
        logger.LogInformation("Found {Cuts} scene cuts above {Threshold} in {File} in {Milliseconds:0} ms",
            cuts.Count, threshold, Path.GetFileName(path), watch.Elapsed.TotalMilliseconds);
        return cuts;
    }

    /// <summary>The optional scale step; fast bilinear because only the scene score, not the picture, is kept.</summary>
    private static string Downscale(int? width) =>
        width is int w ? string.Create(CultureInfo.InvariantCulture, $"scale={w}:-2:flags=fast_bilinear,") : "";

    /// <summary>Reads <c>frame:3    pts:51200   pts_time:4.04</c>.</summary>
    internal static bool TryParseFrameTime(ReadOnlySpan<char> line, out double seconds)
    {
        seconds = 0;
        if (!line.StartsWith("frame:"))
        {
            return false;
        }
        int at = line.IndexOf("pts_time:");
        if (at < 0)
        {
            return false;
        }
        var value = line[(at + "pts_time:".Length)..].Trim();
        int space = value.IndexOf(' ');
        if (space >= 0)
        {
            value = value[..space];
        }
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) && double.IsFinite(seconds);
    }

    /// <summary>Reads <c>lavfi.scene_score=0.870763</c>.</summary>
    internal static bool TryParseScore(ReadOnlySpan<char> line, out double score)
    {
        score = 0;
        const string prefix = "lavfi.scene_score=";
        return line.StartsWith(prefix)
            && double.TryParse(line[prefix.Length..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out score);
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
