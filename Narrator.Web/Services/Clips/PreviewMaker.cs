using System.Diagnostics;
using System.Text;
using Narrator.Model.Media;

namespace Narrator.Web.Services.Clips;

/// <summary>
/// Gives every clip something a browser can play: the original when its container and codec are web-safe
/// (MP4/H.264, WebM/VP8/VP9/AV1, JPEG/PNG/WebP/GIF), otherwise an H.264 MP4 (or a JPEG for a still) made by ffmpeg.
/// </summary>
public sealed class PreviewMaker(ILogger<PreviewMaker> logger)
{
    // Previews are for looking, not for the model: small and quick to encode.
    private const int MaxPreviewWidth = 1280;

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

    /// <summary>Returns the file to play and its content type, transcoding into <paramref name="folder"/> when needed.</summary>
    public async Task<(string Path, string ContentType)> MakeAsync(
        string sourcePath, MediaProbe probe, string folder, double maxSeconds, CancellationToken cancellationToken)
    {
        if (PlayableContentType(probe) is { } playable)
        {
            return (sourcePath, playable);
        }
        bool still = probe.Kind == MediaKind.Image;
        string target = Path.Combine(folder, still ? "preview.jpg" : "preview.mp4");
        var arguments = new List<string> { "-nostdin", "-v", "error", "-y", "-i", sourcePath };
        string scale = $"scale='min({MaxPreviewWidth},iw)':-2:flags=bicubic";
        if (still)
        {
            arguments.AddRange(["-frames:v", "1", "-vf", scale, "-q:v", "3", target]);
        }
        else
        {
            arguments.AddRange([
                "-map", "0:v:0", "-map", "0:a:0?", "-t", maxSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-vf", scale, "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", target]);
        }
        await RunFfmpegAsync(arguments, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Made a browser preview of {Codec} in {Container}: {Preview}", probe.VideoCodec, probe.Container, Path.GetFileName(target));
        return (target, still ? "image/jpeg" : "video/mp4");
    }

    private static async Task RunFfmpegAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(FfmpegTools.Default.FfmpegPath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("ffmpeg could not be started.");
        var stderr = new StringBuilder();
        var drainError = Task.Run(async () =>
        {
            string? line;
            while ((line = await process.StandardError.ReadLineAsync(CancellationToken.None).ConfigureAwait(false)) is not null)
            {
                if (stderr.Length < 8192)
                {
                    stderr.AppendLine(line);
                }
            }
        }, CancellationToken.None);
        var drainOutput = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        await Task.WhenAll(drainError, drainOutput).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            string reason = stderr.ToString().Trim().Split('\n').LastOrDefault() ?? $"exit code {process.ExitCode}";
            throw new MediaException($"A browser preview of this clip could not be made ({reason}).");
        }
    }
}
