using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Narrator.Model.Media;

/// <summary>
/// Runs ONE ffmpeg process per clip: decode once, keep only the planned frame numbers (select on <c>n</c>),
/// scale them bicubically to the planned size and pipe packed RGB24 into one buffer. No temporary files, no seeking.
/// Stills go through the same path, composited on white first (as the reference processor does with alpha).
/// </summary>
public sealed class FrameExtractor(FfmpegRunner? runner = null, ILogger<FrameExtractor>? logger = null)
{
    /// <summary>swscale flags: bicubic (the reference resample) with exact rounding and full-resolution chroma.</summary>
    public const string ScaleFlags = "bicubic+accurate_rnd+full_chroma_int";

    private readonly FfmpegRunner runner = runner ?? FfmpegRunner.Default;
    private readonly ILogger logger = logger ?? NullLogger<FrameExtractor>.Instance;

    /// <summary>An extractor for tools already located (tests, benchmarks).</summary>
    public FrameExtractor(FfmpegTools tools, ILogger<FrameExtractor>? logger = null)
        : this(new FfmpegRunner(tools), logger)
    {
    }

    /// <summary>
    /// Decodes the planned frames. When the file holds fewer frames than planned (a header that overstates the length,
    /// a truncated file) the frames that did decode are returned; <see cref="DecodedFrames.Count"/> says how many.
    /// </summary>
    public Task<DecodedFrames> ExtractAsync(string path, MediaProbe probe, FramePlan plan, CancellationToken cancellationToken) =>
        ExtractAsync(path, probe, plan, firstFrame: 0, cancellationToken);

    /// <summary>
    /// Decodes the planned frames of a stretch of a video that starts at source frame <paramref name="firstFrame"/>
    /// (the plan's indices are source frame numbers, all at or after it): ffmpeg seeks there first, so a segment late in
    /// a long video costs a decode of that segment only.
    /// </summary>
    public Task<DecodedFrames> ExtractAsync(string path, MediaProbe probe, FramePlan plan, int firstFrame, CancellationToken cancellationToken) =>
        ExtractAsync(path, probe, plan, firstFrame, FfmpegPriority.Normal, cancellationToken);

    /// <summary>As above, at <paramref name="priority"/> (background work yields the CPU to work someone waits for).</summary>
    public async Task<DecodedFrames> ExtractAsync(string path, MediaProbe probe, FramePlan plan, int firstFrame, FfmpegPriority priority,
        CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var frameBytes = plan.ResizedWidth * plan.ResizedHeight * 3;
        var buffer = LargeArray.Allocate<byte>(checked(plan.NFrames * frameBytes));

        var stopwatch = Stopwatch.StartNew();
        var result = await runner.RunAsync(Call(path, probe, plan, firstFrame) with { Priority = priority }, stdout =>
        {
            WidenPipe(stdout);
            // Blocking reads on a dedicated thread: one wake-up per chunk instead of a thread-pool hop per 64 KB.
            return Task.Factory.StartNew(() => ReadAll(stdout, buffer), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }, cancellationToken).ConfigureAwait(false);
        int received = result.Output;

        var count = received / frameBytes;
        var errors = result.Errors;
        if (count == 0)
        {
            var reason = result.FirstError ?? $"ffmpeg exited with code {result.ExitCode}";
            throw new MediaException($"No frames could be decoded from {name}; the file is corrupt or truncated ({reason}).");
        }
        if (!result.Succeeded || received % frameBytes != 0)
        {
            logger.LogWarning("ffmpeg ended with code {ExitCode} after {Frames} frames of {File}: {Errors}", result.ExitCode, count, name, result.FirstError);
        }
        if (count < plan.NFrames)
        {
            logger.LogWarning("Only {Count} of {Planned} planned frames decoded from {File}", count, plan.NFrames, name);
            Array.Resize(ref buffer, count * frameBytes);
        }

        var indices = plan.Indices.AsSpan(0, count).ToArray();
        var timestamps = new double[count];
        if (probe.Kind == MediaKind.Video && probe.AverageFps > 0)
        {
            for (var i = 0; i < count; i++)
            {
                timestamps[i] = indices[i] / probe.AverageFps;
            }
        }

        logger.LogDebug("Extracted {Count} frames {Width}x{Height} from {File} in {Elapsed} ms",
            count, plan.ResizedWidth, plan.ResizedHeight, name, stopwatch.ElapsedMilliseconds);
        return new DecodedFrames
        {
            Rgb24 = buffer,
            Count = count,
            Width = plan.ResizedWidth,
            Height = plan.ResizedHeight,
            Indices = indices,
            TimestampsSeconds = timestamps,
        };
    }

    /// <summary>
    /// Quick stand-ins for planned frames of a clip too large to decode whole: for each time, ffmpeg seeks to the
    /// keyframe at or before it and decodes that one frame only (<c>-skip_frame nokey</c>), so the cost is one keyframe
    /// per picture whatever the clip's length, resolution or keyframe spacing. Pictures are at the plan's size.
    /// </summary>
    public async Task<DecodedFrames> ExtractKeyframesNearAsync(string path, MediaProbe probe, FramePlan plan, IReadOnlyList<int> planPositions,
        CancellationToken cancellationToken)
    {
        var frameBytes = plan.ResizedWidth * plan.ResizedHeight * 3;
        var buffer = new byte[planPositions.Count * frameBytes];
        var indices = new List<int>();
        var timestamps = new List<double>();
        var scale = string.Create(CultureInfo.InvariantCulture, $"scale=w={plan.ResizedWidth}:h={plan.ResizedHeight}:flags=bilinear,format=rgb24");
        foreach (var position in planPositions)
        {
            double seconds = probe.AverageFps > 0 ? plan.Indices[position] / probe.AverageFps : 0;
            var offset = indices.Count * frameBytes;
            var result = await runner.RunAsync(new FfmpegCall
            {
                Program = FfmpegProgram.Ffmpeg,
                InputPath = path,
                InputFormat = MediaFormatPolicy.PinnedDemuxer(probe),
                InputOptions = ["-noaccurate_seek", "-ss", seconds.ToString("0.######", CultureInfo.InvariantCulture), "-skip_frame", "nokey"],
                // Passthrough: the keyframe before the seek point has a negative time and a constant-rate output would drop it.
                OutputOptions = ["-map", "0:v:0", "-an", "-sn", "-dn", "-vf", scale, "-fps_mode", "passthrough", "-frames:v", "1",
                    "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
            }, stdout => Task.Run(() => ReadAll(stdout, buffer.AsMemory(offset, frameBytes)), CancellationToken.None), cancellationToken).ConfigureAwait(false);
            if (result.Output == frameBytes)
            {
                indices.Add(plan.Indices[position]);
                timestamps.Add(seconds);
            }
            else
            {
                logger.LogWarning("No keyframe near {Seconds:0.###} s of {File}: {Error}", seconds, Path.GetFileName(path), result.FirstError);
            }
        }
        if (indices.Count == 0)
        {
            throw new MediaException($"No frames could be decoded from {Path.GetFileName(path)}; the file is corrupt or truncated.");
        }
        Array.Resize(ref buffer, indices.Count * frameBytes);
        return new DecodedFrames
        {
            Rgb24 = buffer,
            Count = indices.Count,
            Width = plan.ResizedWidth,
            Height = plan.ResizedHeight,
            Indices = [.. indices],
            TimestampsSeconds = [.. timestamps],
        };
    }

    /// <summary>The ffmpeg command line for a plan (without the program name); the benchmark reuses it as its baseline.</summary>
    public static IReadOnlyList<string> Arguments(string path, MediaProbe probe, FramePlan plan, int firstFrame = 0) =>
        FfmpegRunner.Arguments(Call(path, probe, plan, firstFrame));

    /// <summary>The ffmpeg call for a plan: the probed demuxer pinned, one pass that selects, scales and pipes RGB24.</summary>
    public static FfmpegCall Call(string path, MediaProbe probe, FramePlan plan, int firstFrame = 0)
    {
        var scale = string.Create(CultureInfo.InvariantCulture,
            $"scale=w={plan.ResizedWidth}:h={plan.ResizedHeight}:flags={ScaleFlags},format=rgb24");
        var input = new List<string>();
        var output = new List<string>();
        var indices = plan.Indices;
        if (firstFrame > 0 && probe.Kind == MediaKind.Video && probe.AverageFps > 0)
        {
            // Half a frame early so rounding never drops the first frame; after an input seek, n counts from there.
            // Exact where every frame is stamped (MP4/MOV, MKV/WebM); AVI with packed B-frames and MPEG-PS/TS guess
            // timestamps, so there a range can start one frame off: a price worth paying to not decode from the start.
            input.AddRange(["-ss", ((firstFrame - 0.5) / probe.AverageFps).ToString("0.######", CultureInfo.InvariantCulture)]);
            indices = Array.ConvertAll(plan.Indices, i => i - firstFrame);
        }
        if (probe.Kind == MediaKind.Image)
        {
            // Alpha is composited on white at the original size before resizing, like the reference's RGBA paste.
            var white = string.Create(CultureInfo.InvariantCulture, $"color=c=white:s={probe.Width}x{probe.Height}:r=1");
            output.AddRange([
                "-filter_complex", $"{white}[bg];[0:v:0]format=rgba[fg];[bg][fg]overlay=shortest=1:format=rgb,{scale}[out]",
                "-map", "[out]", "-frames:v", "1",
            ]);
        }
        else
        {
            output.AddRange([
                "-map", "0:v:0", "-an", "-sn", "-dn",
                "-vf", $"{SelectFilter(indices)},{scale}",
                "-fps_mode", "passthrough",
                "-frames:v", plan.NFrames.ToString(CultureInfo.InvariantCulture),
            ]);
        }
        output.AddRange(["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);
        return new FfmpegCall
        {
            Program = FfmpegProgram.Ffmpeg,
            InputPath = path,
            InputFormat = MediaFormatPolicy.PinnedDemuxer(probe),
            InputOptions = input,
            OutputOptions = output,
        };
    }

    /// <summary><c>select='eq(n,0)+eq(n,12)+...'</c>: n counts decoded frames in presentation order, as the reference reader does.</summary>
    public static string SelectFilter(IReadOnlyList<int> indices)
    {
        var builder = new StringBuilder("select='");
        for (var i = 0; i < indices.Count; i++)
        {
            if (i > 0)
            {
                builder.Append('+');
            }
            builder.Append(CultureInfo.InvariantCulture, $"eq(n,{indices[i]})");
        }
        return builder.Append('\'').ToString();
    }

    private static int ReadAll(Stream stdout, Memory<byte> into)
    {
        var total = 0;
        while (total < into.Length)
        {
            var read = stdout.Read(into.Span[total..]);
            if (read == 0)
            {
                return total;
            }
            total += read;
        }
        return total;
    }

    private static int ReadAll(Stream stdout, byte[] buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = stdout.Read(buffer, total, buffer.Length - total);
            if (read == 0)
            {
                return total;
            }
            total += read;
        }
        // The plan is complete; anything more (there should be nothing) is read and dropped so ffmpeg can exit.
        var sink = new byte[64 * 1024];
        while (stdout.Read(sink) > 0)
        {
        }
        return total;
    }

    /// <summary>Linux pipes hold 64 KB; at 1 MB a scaled frame crosses in one or two writes instead of sixteen context switches.</summary>
    private static void WidenPipe(Stream stdout)
    {
        if (OperatingSystem.IsLinux() && stdout is PipeStream pipe)
        {
            const int setPipeSize = 1031; // F_SETPIPE_SZ
            // Advice only: above /proc/sys/fs/pipe-max-size the call fails and the default size stays.
            _ = fcntl((int)pipe.SafePipeHandle.DangerousGetHandle(), setPipeSize, 1 << 20);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int command, int argument);
}
