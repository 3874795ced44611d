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
public sealed class FrameExtractor(FfmpegTools? tools = null, ILogger<FrameExtractor>? logger = null)
{
    /// <summary>swscale flags: bicubic (the reference resample) with exact rounding and full-resolution chroma.</summary>
    public const string ScaleFlags = "bicubic+accurate_rnd+full_chroma_int";

    private const int StderrKeepChars = 16 * 1024;

    private readonly ILogger logger = logger ?? NullLogger<FrameExtractor>.Instance;

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
    public async Task<DecodedFrames> ExtractAsync(string path, MediaProbe probe, FramePlan plan, int firstFrame, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var frameBytes = plan.ResizedWidth * plan.ResizedHeight * 3;
        var buffer = LargeArray.Allocate<byte>(checked(plan.NFrames * frameBytes));

        var startInfo = new ProcessStartInfo((tools ?? FfmpegTools.Default).FfmpegPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in Arguments(path, probe, plan, firstFrame))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = startInfo };
        process.Start();
        var stderr = new StringBuilder();
        var stderrTask = DrainAsync(process.StandardError, stderr);
        int received;
        await using (cancellationToken.Register(() => Kill(process)))
        {
            var stdout = process.StandardOutput.BaseStream;
            WidenPipe(stdout);
            // Blocking reads on a dedicated thread: one wake-up per chunk instead of a thread-pool hop per 64 KB.
            received = await Task.Factory.StartNew(() => ReadAll(stdout, buffer), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await stderrTask.ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();

        var count = received / frameBytes;
        var errors = stderr.ToString().Trim();
        if (count == 0)
        {
            var reason = FirstCause(errors) ?? $"ffmpeg exited with code {process.ExitCode}";
            throw new MediaException($"No frames could be decoded from {name}; the file is corrupt or truncated ({reason}).");
        }
        if (process.ExitCode != 0 || received % frameBytes != 0)
        {
            logger.LogWarning("ffmpeg ended with code {ExitCode} after {Frames} frames of {File}: {Errors}", process.ExitCode, count, name, FirstCause(errors));
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

    /// <summary>The ffmpeg command line for a plan (without the program name); the benchmark reuses it as its baseline.</summary>
    public static IReadOnlyList<string> Arguments(string path, MediaProbe probe, FramePlan plan, int firstFrame = 0)
    {
        var scale = string.Create(CultureInfo.InvariantCulture,
            $"scale=w={plan.ResizedWidth}:h={plan.ResizedHeight}:flags={ScaleFlags},format=rgb24");
        var arguments = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error" };
        var indices = plan.Indices;
        if (firstFrame > 0 && probe.Kind == MediaKind.Video && probe.AverageFps > 0)
        {
            // Half a frame early so rounding never drops the first frame; after an input seek, n counts from there.
            // Exact where every frame is stamped (MP4/MOV, MKV/WebM); AVI with packed B-frames and MPEG-PS/TS guess
            // timestamps, so there a range can start one frame off: a price worth paying to not decode from the start.
            arguments.AddRange(["-ss", ((firstFrame - 0.5) / probe.AverageFps).ToString("0.######", CultureInfo.InvariantCulture)]);
            indices = Array.ConvertAll(plan.Indices, i => i - firstFrame);
        }
        arguments.AddRange(["-i", path]);
        if (probe.Kind == MediaKind.Image)
        {
            // Alpha is composited on white at the original size before resizing, like the reference's RGBA paste.
            var white = string.Create(CultureInfo.InvariantCulture, $"color=c=white:s={probe.Width}x{probe.Height}:r=1");
            arguments.AddRange([
                "-filter_complex", $"{white}[bg];[0:v:0]format=rgba[fg];[bg][fg]overlay=shortest=1:format=rgb,{scale}[out]",
                "-map", "[out]", "-frames:v", "1",
            ]);
        }
        else
        {
            arguments.AddRange([
                "-map", "0:v:0", "-an", "-sn", "-dn",
                "-vf", $"{SelectFilter(indices)},{scale}",
                "-fps_mode", "passthrough",
                "-frames:v", plan.NFrames.ToString(CultureInfo.InvariantCulture),
            ]);
        }
        arguments.AddRange(["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);
        return arguments;
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

    private static async Task DrainAsync(StreamReader reader, StringBuilder into)
    {
        var chunk = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            into.Append(chunk, 0, read);
            if (into.Length > StderrKeepChars)
            {
                into.Remove(0, into.Length - StderrKeepChars);
            }
        }
    }

    /// <summary>ffmpeg's first error line (the cause; later lines are consequences), without the "[demuxer @ 0x...]" prefix.</summary>
    internal static string? FirstCause(string errors)
    {
        var line = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (line is null)
        {
            return null;
        }
        if (line.StartsWith('[') && line.IndexOf("] ", StringComparison.Ordinal) is var end and > 0)
        {
            line = line[(end + 2)..];
        }
        return line.Length > 200 ? line[..200] + "..." : line;
    }

    private static void Kill(Process process)
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
