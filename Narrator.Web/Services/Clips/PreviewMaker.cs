using System.Diagnostics;
using System.Text;
using Narrator.Model.Media;

namespace Narrator.Web.Services.Clips;

/// <summary>
/// Gives every clip something a browser can play: the original when its container and codec are web-safe
/// (MP4/H.264, WebM/VP8/VP9/AV1, JPEG/PNG/WebP/GIF), otherwise an H.264 MP4 (or a JPEG for a still) made by ffmpeg.
/// A transcode is heavy work: it runs in the background at the lowest CPU priority, within a pixel-rate budget
/// (at most 1280 pixels wide and 30 frames a second).
/// </summary>
public sealed class PreviewMaker(FfmpegRunner runner, ILogger<PreviewMaker> logger)
{
    // Previews are for looking, not for the model: small and quick to encode.
    private const int MaxPreviewWidth = 1280;
    private const int MaxPreviewFps = 30;

    /// <summary>The content type to serve the original with, or null when the browser cannot play it.</summary>
    public static string? PlayableContentType(MediaProbe probe)
    {
        string codec = probe.VideoCodec.ToLowerInvariant();
        string container = probe.Container.ToLowerInvariant();
        if (probe.Kind == MediaKind.Image)
        {
            return codec switch
            {
                "mjpeg" or "jpeg" => "image/jpeg",
                "png" => "image/png",
                "webp" => "image/webp",
                "gif" => "image/gif",
                _ => null,
            };
        }
        if (container.Contains("mp4") && codec is "h264" or "av1")
        {
            return "video/mp4";
        }
        if (container.Contains("webm") && codec is "vp8" or "vp9" or "av1")
        {
            return "video/webm";
        }
        return null;
    }

    /// <summary>True when the clip needs a transcode (heavy work) before a browser can play it.</summary>
    public static bool NeedsTranscode(MediaProbe probe) => PlayableContentType(probe) is null;

    /// <summary>The preview's file name and content type for a clip that needs a transcode.</summary>
    public static (string FileName, string ContentType) TranscodeTarget(MediaProbe probe) =>
        probe.Kind == MediaKind.Image ? ("preview.jpg", "image/jpeg") : ("preview.mp4", "video/mp4");

    /// <summary>
    /// Transcodes the clip into <paramref name="folder"/> (see <see cref="TranscodeTarget"/>). Throws a
    /// <see cref="MediaException"/> when ffmpeg fails, an <see cref="IOException"/> when the disk is full.
    /// </summary>
    public async Task<string> TranscodeAsync(string sourcePath, MediaProbe probe, string folder, double maxSeconds, CancellationToken cancellationToken)
    {
        bool still = probe.Kind == MediaKind.Image;
        string target = Path.Combine(folder, TranscodeTarget(probe).FileName);
        string scale = $"scale='min({MaxPreviewWidth},iw)':-2:flags=bicubic";
        var output = new List<string> { "-y" };
        if (still)
        {
            output.AddRange(["-frames:v", "1", "-vf", scale, "-q:v", "3", target]);
        }
        else
        {
            output.AddRange([
                "-map", "0:v:0", "-map", "0:a:0?", "-t", maxSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-vf", $"fps='min({MaxPreviewFps},source_fps)',{scale}", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", target]);
        }
        var result = await runner.RunToFileAsync(new FfmpegCall
        {
            Program = FfmpegProgram.Ffmpeg,
            InputPath = sourcePath,
            InputFormat = MediaFormatPolicy.PinnedDemuxer(probe),
            OutputOptions = output,
            Priority = FfmpegPriority.Background,
        }, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            File.Delete(target);
            if (result.Errors.Contains("No space left on device", StringComparison.OrdinalIgnoreCase))
            {
                throw new IOException("No space left on device", ClipFiles.DiskFullErrno);
            }
            throw new MediaException($"A browser preview of this clip could not be made ({result.LastError ?? $"exit code {result.ExitCode}"}).");
        }
        logger.LogInformation("Made a browser preview of {Codec} in {Container}: {Preview}", probe.VideoCodec, probe.Container, Path.GetFileName(target));
        return target;
    }
}
