using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Narrator.Model.Media;

/// <summary>
/// The one place Narrator starts ffmpeg and ffprobe. Every call reads exactly one local file: the input goes through
/// the file protocol only (<c>-protocol_whitelist file</c>, which nested opens inherit), only single-file demuxers may
/// read it (<c>-format_whitelist</c>), and after the probe the demuxer is pinned with <c>-f</c> so content sniffing
/// cannot switch to a playlist between probe and decode. Programs come from <see cref="FfmpegLocator"/>; arguments are
/// lists (no shell); cancellation kills the process; the tail of stderr is kept for the error sentence.
/// </summary>
public sealed class FfmpegRunner
{
    private const int StderrKeepChars = 16 * 1024;
    private const string FileProtocol = "file:";

    // Input options a call may not set itself: the runner owns the input and its allow-lists.
    private static readonly HashSet<string> ReservedInputOptions = new(StringComparer.Ordinal)
    {
        "-i", "-f", "-protocol_whitelist", "-protocol_blacklist", "-format_whitelist", "-pattern_type",
    };

    private readonly ILogger logger;

    public FfmpegRunner(FfmpegLocator? locator = null, ILogger<FfmpegRunner>? logger = null)
    {
        Locator = locator ?? FfmpegLocator.Default;
        this.logger = logger ?? NullLogger<FfmpegRunner>.Instance;
    }

    /// <summary>A runner for tools already located (tests, benchmarks).</summary>
    public FfmpegRunner(FfmpegTools tools, ILogger<FfmpegRunner>? logger = null)
        : this(new FfmpegLocator(tools), logger)
    {
    }

    /// <summary>The runner for everything that is given none: tools from <c>NARRATOR_FFMPEG_DIR</c> or the PATH.</summary>
    public static FfmpegRunner Default { get; } = new();

    public FfmpegLocator Locator { get; }

    /// <summary>The full command line for a call, without the program name (what <see cref="RunAsync{T}"/> runs).</summary>
    public static IReadOnlyList<string> Arguments(FfmpegCall call)
    {
        foreach (var option in call.InputOptions)
        {
            if (ReservedInputOptions.Contains(option))
            {
                throw new ArgumentException($"The input option {option} is set by the runner, not by a call.", nameof(call));
            }
        }
        string whitelist = MediaFormatPolicy.ProbeWhitelist;
        var arguments = new List<string>();
        if (call.Program == FfmpegProgram.Ffmpeg)
        {
            if (call.InputFormat is null)
            {
                throw new ArgumentException("ffmpeg never reads a file without the demuxer its probe found.", nameof(call));
            }
            arguments.AddRange(["-nostdin", "-hide_banner", "-nostats"]);
        }
        else
        {
            arguments.Add("-hide_banner");
        }
        arguments.AddRange(["-loglevel", "error"]);
        arguments.AddRange(call.InputOptions);
        arguments.AddRange(["-protocol_whitelist", "file"]);
        if (call.InputFormat is { } format)
        {
            if (MediaFormatPolicy.DemuxerFor(format) != format)
            {
                throw new MediaFormatRefusedException(MediaFormatPolicy.RefusalSentence(Path.GetFileName(call.InputPath), format));
            }
            whitelist = MediaFormatPolicy.PinnedWhitelist(format);
            arguments.AddRange(["-format_whitelist", whitelist, "-f", format]);
            arguments.AddRange(MediaFormatPolicy.PinnedOptions(format));
        }
        else
        {
            arguments.AddRange(["-format_whitelist", whitelist]);
        }
        // "file:" so a name such as "concat:a|b" or "subfile:..." is a file name, never a protocol.
        arguments.AddRange(["-i", FileProtocol + Path.GetFullPath(call.InputPath)]);
        arguments.AddRange(call.OutputOptions);
        return arguments;
    }

    /// <summary>Runs a call, reading stdout with <paramref name="readOutput"/> while it runs; stderr is kept for the result.</summary>
    public async Task<FfmpegResult<T>> RunAsync<T>(FfmpegCall call, Func<Stream, Task<T>> readOutput, CancellationToken cancellationToken)
    {
        var arguments = Arguments(call);
        cancellationToken.ThrowIfCancellationRequested();
        using var process = Start(call.Program, arguments);
        if (call.Priority == FfmpegPriority.Background)
        {
            Lower(process);
        }

        var stderr = new StringBuilder();
        var stderrTask = DrainAsync(process.StandardError, stderr);
        T output;
        await using (cancellationToken.Register(() => Kill(process)))
        {
            try
            {
                output = await readOutput(process.StandardOutput.BaseStream).ConfigureAwait(false);
            }
            finally
            {
                // Whatever the reader did, the process must not outlive the call.
                if (!process.HasExited && !cancellationToken.IsCancellationRequested)
                {
                    await DrainRestAsync(process.StandardOutput.BaseStream).ConfigureAwait(false);
                }
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                await stderrTask.ConfigureAwait(false);
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        string errors = stderr.ToString().Replace(FileProtocol + Path.GetFullPath(call.InputPath), call.InputPath, StringComparison.Ordinal).Trim();
        if (process.ExitCode != 0)
        {
            logger.LogDebug("{Program} exited with {ExitCode} on {File}: {Errors}", call.Program, process.ExitCode, Path.GetFileName(call.InputPath), FirstCause(errors));
        }
        return new FfmpegResult<T>(process.ExitCode, errors, output);
    }

    /// <summary>Runs a call whose stdout is small text (ffprobe's JSON, filter metadata) and returns it whole.</summary>
    public Task<FfmpegResult<string>> RunForTextAsync(FfmpegCall call, CancellationToken cancellationToken) =>
        RunAsync(call, async stdout =>
        {
            using var reader = new StreamReader(stdout, Encoding.UTF8, leaveOpen: true);
            return await reader.ReadToEndAsync(CancellationToken.None).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Runs a call that writes its output to a file (or nowhere), discarding stdout.</summary>
    public Task<FfmpegResult<bool>> RunToFileAsync(FfmpegCall call, CancellationToken cancellationToken) =>
        RunAsync(call, async stdout =>
        {
            await DrainRestAsync(stdout).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private Process Start(FfmpegProgram program, IReadOnlyList<string> arguments)
    {
        for (var attempt = 0; ; attempt++)
        {
            var tools = Locator.Tools;
            var startInfo = new ProcessStartInfo(program == FfmpegProgram.Ffmpeg ? tools.FfmpegPath : tools.FfprobePath)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = false,
                UseShellExecute = false,
                CreateNoWindow = true,
            };
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }
            var process = new Process { StartInfo = startInfo };
            try
            {
                process.Start();
                return process;
            }
            catch (Win32Exception ex)
            {
                process.Dispose();
                // Removed or moved since it was located: look again once, then say how to install it.
                Locator.Forget(tools);
                if (attempt > 0)
                {
                    throw new FfmpegMissingException($"{startInfo.FileName} cannot be started ({ex.Message}); reinstall ffmpeg.", ex);
                }
            }
        }
    }

    private void Lower(Process process)
    {
        try
        {
            process.PriorityClass = ProcessPriorityClass.Idle;
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            logger.LogDebug("Could not lower the priority of ffmpeg {Pid}: {Error}", process.Id, ex.Message);
        }
    }

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

    private static async Task DrainRestAsync(Stream stdout)
    {
        var sink = new byte[64 * 1024];
        while (await stdout.ReadAsync(sink).ConfigureAwait(false) > 0)
        {
        }
    }

    /// <summary>ffmpeg's first error line (the cause; later lines are consequences), without the "[demuxer @ 0x...]" prefix.</summary>
    public static string? FirstCause(string errors)
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
