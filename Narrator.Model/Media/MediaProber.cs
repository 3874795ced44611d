using System.Globalization;
using System.Text.Json;
using FFMpegCore;
using FFMpegCore.Exceptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Vision;

namespace Narrator.Model.Media;

/// <summary>
/// Asks ffprobe (through <see cref="FfmpegRunner"/>, so only single-file formats are read) what a file is, rejects
/// anything the pipeline cannot use with one sentence, and reduces the answer (parsed by FFMpegCore) to a <see cref="MediaProbe"/>.
/// </summary>
public sealed class MediaProber(FfmpegRunner? runner = null, ILogger<MediaProber>? logger = null)
{
    // FFMpegCore's own ffprobe arguments, so its parser gets the JSON it expects.
    private static readonly string[] JsonOutput = ["-print_format", "json", "-show_format", "-sexagesimal", "-show_streams", "-show_chapters"];

    private readonly FfmpegRunner runner = runner ?? FfmpegRunner.Default;
    private readonly ILogger logger = logger ?? NullLogger<MediaProber>.Instance;

    /// <summary>A prober for tools already located (tests, benchmarks).</summary>
    public MediaProber(FfmpegTools tools, ILogger<MediaProber>? logger = null)
        : this(new FfmpegRunner(tools), logger)
    {
    }

    public async Task<MediaProbe> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        if (Directory.Exists(path))
        {
            throw new MediaException($"{path} is a folder, not a video or image file.");
        }
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new MediaException($"File not found: {path}.");
        }
        if (file.Length == 0)
        {
            throw new MediaException($"{name} is empty (0 bytes); it is not a video or image.");
        }

        var call = new FfmpegCall { Program = FfmpegProgram.Ffprobe, InputPath = file.FullName, OutputOptions = JsonOutput };
        var result = await runner.RunForTextAsync(call, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && MediaFormatPolicy.RefusedDemuxer(result.Errors) is { } refused)
        {
            if (refused != MediaFormatPolicy.ImageFileDemuxer)
            {
                throw new MediaFormatRefusedException(MediaFormatPolicy.RefusalSentence(name, refused));
            }
            // Recognised as an image by its extension: read exactly this one file, never a sequence its name might spell.
            result = await runner.RunForTextAsync(call with { InputFormat = MediaFormatPolicy.ImageFileDemuxer }, cancellationToken).ConfigureAwait(false);
        }
        if (!result.Succeeded)
        {
            // ffmpeg read it as nothing at all; if it is a playlist it could not recognise, say so rather than "corrupt".
            if (MediaFormatPolicy.LooksLikePlaylist(file.FullName) is { } kind)
            {
                throw new MediaFormatRefusedException(MediaFormatPolicy.RefusalSentence(name, kind));
            }
            throw Unreadable(name, result.Errors);
        }

        IMediaAnalysis analysis;
        try
        {
            analysis = FFProbe.FromJson(result.Output);
        }
        catch (Exception ex) when (ex is FFMpegException or FormatNullException or JsonException or FormatException or ArgumentException or NullReferenceException)
        {
            throw new MediaException($"{name} is not a video or image file that ffmpeg can read.", ex);
        }

        var probe = Reduce(name, analysis);
        if (MediaFormatPolicy.DemuxerFor(probe.Container) is null)
        {
            throw new MediaFormatRefusedException(MediaFormatPolicy.RefusalSentence(name, probe.Container));
        }
        logger.LogDebug(
            "Probed {File}: {Kind} {Container}/{Codec} {Width}x{Height} rot {Rotation} {Fps:0.###} fps {Frames} frames (estimated {Estimated})",
            name, probe.Kind, probe.Container, probe.VideoCodec, probe.Width, probe.Height, probe.Rotation, probe.AverageFps,
            probe.FrameCount, probe.FrameCountEstimated);
        return probe;
    }

    private static MediaException Unreadable(string name, string ffprobeErrors)
    {
        var lower = ffprobeErrors.ToLowerInvariant();
        if (lower.Contains("moov atom not found"))
        {
            return new MediaException($"{name} is not a complete MP4/MOV file (its 'moov' index is missing): it is truncated, still being written, or not a video at all.");
        }
        if (lower.Contains("invalid data found when processing input"))
        {
            return new MediaException($"{name} is not a video or image file that ffmpeg can read (unrecognised or corrupt data).");
        }
        var lastLine = ffprobeErrors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return new MediaException($"{name} could not be read as a video or image: {lastLine ?? "ffprobe failed without saying why"}.");
    }

    internal static MediaProbe Reduce(string name, IMediaAnalysis analysis)
    {
        var container = analysis.Format?.FormatName ?? "";
        // ffmpeg's "tty" demuxer happily opens any .txt/.nfo as ANSI art; that is text, not a picture.
        var stream = analysis.VideoStreams.FirstOrDefault(s => !IsCoverArt(s) && s.CodecName != "ansi");
        if (container == "tty" || stream is null)
        {
            if (analysis.AudioStreams.Count > 0)
            {
                throw new MediaException($"{name} has only audio and no video stream; upload a video clip or an image.");
            }
            throw new MediaException($"{name} has no video or image stream; it is not a video or image file.");
        }

        int storedWidth = stream.Width ?? 0, storedHeight = stream.Height ?? 0;
        if (storedWidth <= 0 || storedHeight <= 0)
        {
            throw new MediaException($"{name} has a video stream without a frame size; the file is corrupt.");
        }

        var rotation = RotationOf(stream);
        var quarterTurn = rotation is 90 or 270;
        int width = quarterTurn ? storedHeight : storedWidth, height = quarterTurn ? storedWidth : storedHeight;
        if ((double)Math.Max(width, height) / Math.Min(width, height) > SmartResize.MaxAspectRatio)
        {
            throw new MediaException(
                $"{name} is {width}x{height} pixels: its aspect ratio {AspectText(width, height)} is over the limit of {SmartResize.MaxAspectRatio:0}:1.");
        }

        var aspect = stream.DisplayAspectRatio is (> 0, > 0) dar
            ? quarterTurn ? $"{dar.Item2}:{dar.Item1}" : $"{dar.Item1}:{dar.Item2}"
            : null;
        var hasAudio = analysis.AudioStreams.Count > 0;
        var codec = stream.CodecName ?? "unknown";

        if (IsStillContainer(container))
        {
            return Still(container, codec, width, height, aspect, rotation, hasAudio);
        }

        var fps = Positive(stream.AverageFrameRate) ?? Positive(stream.RealFrameRate) ?? 0;
        var duration = Positive(stream.Duration.TotalSeconds) ?? Positive(analysis.Format?.Duration.TotalSeconds ?? 0) ?? 0;
        var declared = DeclaredFrameCount(analysis, stream.Index);
        var fromDuration = (int)Math.Round(duration * fps, MidpointRounding.AwayFromZero);
        var estimated = declared is null or <= 0;
        var frameCount = estimated ? fromDuration : declared!.Value;
        // A truncated AVI keeps its header's frame count while ffprobe's duration shows what is left: plan on what is there.
        if (!estimated && fromDuration >= 2 && frameCount > fromDuration * 1.1 + 2)
        {
            frameCount = fromDuration;
            estimated = true;
        }

        // A "video" of one frame (single-frame GIF, a poster MP4) is a still as far as the model is concerned.
        if (frameCount < 2 && (estimated || declared is 1))
        {
            return Still(container, codec, width, height, aspect, rotation, hasAudio);
        }
        if (fps <= 0)
        {
            throw new MediaException($"{name} does not say its frame rate, so its frames cannot be timed; the file is corrupt.");
        }
        if (frameCount < 2)
        {
            throw new MediaException($"{name} declares a length of {duration:0.###} s and no frames; it is corrupt or truncated.");
        }

        return new MediaProbe
        {
            Kind = MediaKind.Video,
            Container = container,
            VideoCodec = codec,
            Width = width,
            Height = height,
            DisplayAspectRatio = aspect,
            Rotation = rotation,
            AverageFps = fps,
            DurationSeconds = duration > 0 ? duration : frameCount / fps,
            FrameCount = frameCount,
            FrameCountEstimated = estimated,
            HasAudio = hasAudio,
        };
    }

    private static MediaProbe Still(string container, string codec, int width, int height, string? aspect, int rotation, bool hasAudio) => new()
    {
        Kind = MediaKind.Image,
        Container = container,
        VideoCodec = codec,
        Width = width,
        Height = height,
        DisplayAspectRatio = aspect,
        Rotation = rotation,
        FrameCount = 1,
        HasAudio = hasAudio,
    };

    /// <summary>ffmpeg's single-image demuxers: "image2" and the per-format "*_pipe" ones (png_pipe, jpeg_pipe, webp_pipe, bmp_pipe...).</summary>
    internal static bool IsStillContainer(string container) =>
        container == "image2" || container.EndsWith("_pipe", StringComparison.Ordinal);

    private static bool IsCoverArt(VideoStream stream) =>
        stream.Disposition is { } d && d.TryGetValue("attached_pic", out var attached) && attached;

    private static int? DeclaredFrameCount(IMediaAnalysis analysis, int streamIndex)
    {
        var raw = analysis.Raw?.Streams?.FirstOrDefault(s => s.Index == streamIndex);
        if (raw?.ExtensionData is { } extra && extra.TryGetValue("nb_frames", out var value))
        {
            var text = value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString();
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
            {
                return count;
            }
        }
        return null;
    }

    /// <summary>Rotation in whole quarter turns, 0..270, from the display matrix side data or the legacy "rotate" tag.</summary>
    private static int RotationOf(VideoStream stream)
    {
        double? degrees = null;
        foreach (var side in stream.SideData ?? [])
        {
            if (side.TryGetValue("rotation", out var value) && value is not null &&
                double.TryParse(value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                degrees = parsed;
                break;
            }
        }
        if (degrees is null && stream.Tags is { } tags && tags.TryGetValue("rotate", out var tag) &&
            double.TryParse(tag, NumberStyles.Float, CultureInfo.InvariantCulture, out var tagged))
        {
            degrees = tagged;
        }
        if (degrees is null)
        {
            return 0;
        }
        var quarter = (int)Math.Round(degrees.Value / 90.0, MidpointRounding.AwayFromZero);
        return ((quarter % 4) + 4) % 4 * 90;
    }

    private static double? Positive(double value) => double.IsFinite(value) && value > 0 ? value : null;

    private static string AspectText(int width, int height) =>
        string.Create(CultureInfo.InvariantCulture, $"{(double)Math.Max(width, height) / Math.Min(width, height):0.#}:1");
}
