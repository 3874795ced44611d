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
public sealed class SceneCutDetector(FfmpegRunner? runner = null, ILogger<SceneCutDetector>? logger = null)
{
    private readonly FfmpegRunner runner = runner ?? FfmpegRunner.Default;
    private readonly ILogger logger = logger ?? NullLogger<SceneCutDetector>.Instance;

    /// <summary>A detector for tools already located (tests, benchmarks).</summary>
    public SceneCutDetector(FfmpegTools tools, ILogger<SceneCutDetector>? logger = null)
        : this(new FfmpegRunner(tools), logger)
    {
    }

    public Task<IReadOnlyList<SceneCut>> DetectAsync(string path, SegmentationOptions options, CancellationToken cancellationToken = default) =>
        DetectAsync(path, null, options, FfmpegPriority.Normal, cancellationToken);

    /// <summary>
    /// Scene cuts of a probed file (its demuxer pinned; without a probe the file is probed first) at <paramref name="priority"/>.
    /// </summary>
    public async Task<IReadOnlyList<SceneCut>> DetectAsync(string path, MediaProbe? probe, SegmentationOptions options, FfmpegPriority priority,
        CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new MediaException($"The file '{path}' does not exist.");
        }
        probe ??= await new MediaProber(runner).ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        string threshold = options.SceneThreshold.ToString("0.######", CultureInfo.InvariantCulture);
        var call = new FfmpegCall
        {
            Program = FfmpegProgram.Ffmpeg,
            InputPath = path,
            InputFormat = MediaFormatPolicy.PinnedDemuxer(probe),
            InputOptions = options.KeyframesOnly ? ["-skip_frame", "nokey"] : [],
            OutputOptions =
            [
                "-map", "0:v:0", "-an", "-sn", "-dn",
                // The backslash pair survives the filtergraph's unescaping as the option escape for "pipe:1".
                "-filter:v", $"setpts=PTS-STARTPTS,{Downscale(options.AnalysisWidth)}select='gt(scene,{threshold})',metadata=print:file=pipe\\\\:1",
                "-f", "null", "-",
            ],
            Priority = priority,
        };

        var watch = Stopwatch.StartNew();
        var result = await runner.RunAsync(call, async stdout =>
        {
            var cuts = new List<SceneCut>();
            double? pendingTime = null;
            using var reader = new StreamReader(stdout, leaveOpen: true);
            while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
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
            return cuts;
        }, cancellationToken).ConfigureAwait(false);

        if (!result.Succeeded)
        {
            string reason = result.LastError ?? $"exit code {result.ExitCode}";
            throw new MediaException($"ffmpeg could not decode '{Path.GetFileName(path)}' to find scene cuts: {reason}");
        }
        logger.LogInformation("Found {Cuts} scene cuts above {Threshold} in {File} in {Milliseconds:0} ms",
            result.Output.Count, threshold, Path.GetFileName(path), watch.Elapsed.TotalMilliseconds);
        return result.Output;
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
}
