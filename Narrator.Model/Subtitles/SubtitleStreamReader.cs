using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Media;

namespace Narrator.Model.Subtitles;

/// <summary>
/// Lists a video's subtitle streams (ffprobe) and reads a text one as timed lines (ffmpeg writes it as SubRip, which
/// <see cref="SubtitleParser"/> reads). Both calls touch visitor data, so both run with <c>-protocol_whitelist file</c>
/// and the container format the probe found passed with <c>-f</c>: the file is only ever opened as what it was probed as.
/// </summary>
public sealed class SubtitleStreamReader(FfmpegTools? tools = null, ILogger<SubtitleStreamReader>? logger = null)
{
    /// <summary>More SubRip text than any film needs; a stream that writes more is cut off here rather than filling memory.</summary>
    public const int MaxExtractedBytes = 16 * 1024 * 1024;

    private const int StderrKeepChars = 8 * 1024;

    private readonly ILogger logger = logger ?? NullLogger<SubtitleStreamReader>.Instance;

    private FfmpegTools Tools => tools ?? FfmpegTools.Default;

    /// <summary>The subtitle streams in a probed video (none for a still), text ones usable, picture ones with their reason.</summary>
    public async Task<IReadOnlyList<SubtitleStream>> ListAsync(string path, MediaProbe probe, CancellationToken cancellationToken)
    {
        if (probe.Kind != MediaKind.Video)
        {
            return [];
        }
        var (exitCode, stdout, stderr) = await RunAsync(Tools.FfprobePath,
        [
            "-v", "error", ..InputOptions(probe),
            "-select_streams", "s",
            "-show_entries", "stream=index,codec_name:stream_tags=language,title:stream_disposition=default,forced",
            "-of", "json", path,
        ], 1024 * 1024, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new MediaException($"The subtitle streams of {Path.GetFileName(path)} could not be listed: {FirstCause(stderr) ?? $"ffprobe exited with code {exitCode}"}.");
        }
        var streams = Read(Encoding.UTF8.GetString(stdout));
        logger.LogDebug("{File} has {Count} subtitle stream(s): {Streams}", Path.GetFileName(path), streams.Count,
            string.Join(", ", streams.Select(s => s.Label)));
        return streams;
    }

    /// <summary>The lines of text stream <paramref name="stream"/>, times from the start of the video.</summary>
    public async Task<SubtitleTrack> ExtractAsync(string path, MediaProbe probe, SubtitleStream stream, CancellationToken cancellationToken)
    {
        if (stream.UnusableReason is { } reason)
        {
            throw new UserInputException($"Subtitle {stream.Label} cannot be used: {reason}");
        }
        var watch = Stopwatch.StartNew();
        var (exitCode, stdout, stderr) = await RunAsync(Tools.FfmpegPath,
        [
            "-nostdin", "-hide_banner", "-loglevel", "error", ..InputOptions(probe), "-i", path,
            "-map", string.Create(CultureInfo.InvariantCulture, $"0:{stream.Index}"), "-c:s", "srt", "-f", "srt", "pipe:1",
        ], MaxExtractedBytes, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0 && stdout.Length == 0)
        {
            throw new MediaException($"Subtitle {stream.Label} could not be read: {FirstCause(stderr) ?? $"ffmpeg exited with code {exitCode}"}.");
        }
        var track = SubtitleParser.Parse(Encoding.UTF8.GetString(stdout), stream.Label);
        logger.LogInformation("Read {Lines} subtitle line(s) from {Stream} of {File} in {Milliseconds} ms",
            track.Lines.Count, stream.Label, Path.GetFileName(path), watch.ElapsedMilliseconds);
        return track;
    }

    /// <summary>Only local files, opened as the probed format (ffprobe's name list, e.g. "mov,mp4,m4a,3gp,3g2,mj2", is accepted by -f).</summary>
    private static string[] InputOptions(MediaProbe probe) =>
        string.IsNullOrEmpty(probe.Container) ? ["-protocol_whitelist", "file"] : ["-protocol_whitelist", "file", "-f", probe.Container];

    internal static IReadOnlyList<SubtitleStream> Read(string json)
    {
        var streams = new List<SubtitleStream>();
        using var document = JsonDocument.Parse(json.Length == 0 ? "{}" : json);
        if (!document.RootElement.TryGetProperty("streams", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return streams;
        }
        foreach (var item in array.EnumerateArray())
        {
            if (!item.TryGetProperty("index", out var index) || index.ValueKind != JsonValueKind.Number)
            {
                continue;
            }
            string codec = item.TryGetProperty("codec_name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() ?? "" : "";
            string? language = Tag(item, "language");
            streams.Add(new SubtitleStream
            {
                Index = index.GetInt32(),
                Codec = codec,
                Language = language is "und" ? null : language,
                Title = Tag(item, "title"),
                IsDefault = Flag(item, "default"),
                IsForced = Flag(item, "forced"),
                UnusableReason = SubtitleStream.ReasonUnusable(codec),
            });
        }
        return streams;
    }

    private static string? Tag(JsonElement stream, string name) =>
        stream.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Object
        && tags.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text.Trim()
            : null;

    private static bool Flag(JsonElement stream, string name) =>
        stream.TryGetProperty("disposition", out var disposition) && disposition.ValueKind == JsonValueKind.Object
        && disposition.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.GetInt32() != 0;

    /// <summary>Runs a tool to its end, keeping at most <paramref name="maxStdout"/> bytes of its output and the tail of its errors.</summary>
    private static async Task<(int ExitCode, byte[] Stdout, string Stderr)> RunAsync(string executable, string[] arguments, int maxStdout,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new FfmpegMissingException($"{executable} could not be started ({ex.Message}); reinstall ffmpeg.", ex);
        }
        await using (cancellationToken.Register(() => Kill(process)))
        {
            var stderr = new StringBuilder();
            var stderrTask = Task.Run(async () =>
            {
                char[] chunk = new char[4096];
                int n;
                while ((n = await process.StandardError.ReadAsync(chunk, CancellationToken.None).ConfigureAwait(false)) > 0)
                {
                    stderr.Append(chunk, 0, n);
                    if (stderr.Length > StderrKeepChars)
                    {
                        stderr.Remove(0, stderr.Length - StderrKeepChars);
                    }
                }
            }, CancellationToken.None);
            using var output = new MemoryStream();
            byte[] buffer = new byte[81920];
            int read;
            while ((read = await process.StandardOutput.BaseStream.ReadAsync(buffer, CancellationToken.None).ConfigureAwait(false)) > 0)
            {
                if (output.Length + read > maxStdout)
                {
                    Kill(process);
                    break;
                }
                output.Write(buffer, 0, read);
            }
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await stderrTask.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return (process.ExitCode, output.ToArray(), stderr.ToString());
        }
    }

    private static string? FirstCause(string errors) => FrameExtractor.FirstCause(errors);

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
