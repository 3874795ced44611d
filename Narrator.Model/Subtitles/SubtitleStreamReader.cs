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
/// <see cref="SubtitleParser"/> reads). Both calls touch visitor data, so both go through <see cref="FfmpegRunner"/>
/// like every other media call: the file protocol only, the single-file demuxer allow-list, the stored file as
/// <c>file:&lt;path&gt;</c>, and the demuxer the probe found pinned with <c>-f</c>, so the file is only ever opened as
/// what it was probed as.
/// </summary>
public sealed class SubtitleStreamReader(FfmpegRunner? runner = null, ILogger<SubtitleStreamReader>? logger = null)
{
    /// <summary>More SubRip text than any film needs; a stream that writes more is cut off here rather than filling memory.</summary>
    public const int MaxExtractedBytes = 16 * 1024 * 1024;

    private readonly FfmpegRunner runner = runner ?? FfmpegRunner.Default;
    private readonly ILogger logger = logger ?? NullLogger<SubtitleStreamReader>.Instance;

    /// <summary>A reader for tools already located (tests, benchmarks).</summary>
    public SubtitleStreamReader(FfmpegTools tools, ILogger<SubtitleStreamReader>? logger = null)
        : this(new FfmpegRunner(tools), logger)
    {
    }

    /// <summary>The subtitle streams in a probed video (none for a still), text ones usable, picture ones with their reason.</summary>
    public async Task<IReadOnlyList<SubtitleStream>> ListAsync(string path, MediaProbe probe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        if (probe.Kind != MediaKind.Video)
        {
            return [];
        }
        var result = await runner.RunForTextAsync(new FfmpegCall
        {
            Program = FfmpegProgram.Ffprobe,
            InputPath = path,
            InputFormat = MediaFormatPolicy.PinnedDemuxer(probe),
            OutputOptions =
            [
                "-select_streams", "s",
                "-show_entries", "stream=index,codec_name:stream_tags=language,title:stream_disposition=default,forced",
                "-of", "json",
            ],
        }, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new MediaException($"The subtitle streams of {Path.GetFileName(path)} could not be listed: {result.FirstError ?? $"ffprobe exited with code {result.ExitCode}"}.");
        }
        var streams = Read(result.Output);
        logger.LogDebug("{File} has {Count} subtitle stream(s): {Streams}", Path.GetFileName(path), streams.Count,
            string.Join(", ", streams.Select(s => s.Label)));
        return streams;
    }

    /// <summary>The lines of text stream <paramref name="stream"/>, times from the start of the video.</summary>
    public async Task<SubtitleTrack> ExtractAsync(string path, MediaProbe probe, SubtitleStream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.UnusableReason is { } reason)
        {
            throw new UserInputException($"Subtitle {stream.Label} cannot be used: {reason}");
        }
        var watch = Stopwatch.StartNew();
        var result = await runner.RunAsync(new FfmpegCall
        {
            Program = FfmpegProgram.Ffmpeg,
            InputPath = path,
            InputFormat = MediaFormatPolicy.PinnedDemuxer(probe),
            OutputOptions = ["-map", string.Create(CultureInfo.InvariantCulture, $"0:{stream.Index}"), "-c:s", "srt", "-f", "srt", "pipe:1"],
        }, ReadCappedAsync, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && result.Output.Length == 0)
        {
            throw new MediaException($"Subtitle {stream.Label} could not be read: {result.FirstError ?? $"ffmpeg exited with code {result.ExitCode}"}.");
        }
        var track = SubtitleParser.Parse(Encoding.UTF8.GetString(result.Output), stream.Label);
        logger.LogInformation("Read {Lines} subtitle line(s) from {Stream} of {File} in {Milliseconds} ms",
            track.Lines.Count, stream.Label, Path.GetFileName(path), watch.ElapsedMilliseconds);
        return track;
    }

    /// <summary>Keeps at most <see cref="MaxExtractedBytes"/> of ffmpeg's SubRip; the runner drains (and drops) the rest.</summary>
    private static async Task<byte[]> ReadCappedAsync(Stream stdout)
    {
        using var output = new MemoryStream();
        byte[] buffer = new byte[81920];
        int read;
        while ((read = await stdout.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            if (output.Length + read > MaxExtractedBytes)
            {
                break;
            }
            output.Write(buffer, 0, read);
        }
        return output.ToArray();
    }

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
}
