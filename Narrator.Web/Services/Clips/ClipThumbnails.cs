using Microsoft.Extensions.Options;
using Narrator.Model.Media;

namespace Narrator.Web.Services.Clips;

/// <summary>
/// The strip of frames the page shows for a clip: JPEG thumbnails of the planned frames under frames/{version}/. Exact
/// frames when decoding up to the last planned one is cheap enough to wait for (or when asked for them); otherwise a few
/// keyframes near the planned times, at one keyframe decode each, while the exact ones are made in the background.
/// </summary>
public sealed class ClipThumbnails(FrameExtractor extractor, ClipFiles files, IOptions<UploadOptions> limits)
{
    private const int ThumbnailWidth = 320;
    // Keyframe stand-ins shown while the exact frames of a very large clip are made (each costs one seek and one keyframe).
    private const int QuickKeyframeThumbnails = 8;

    /// <summary>
    /// Plans the frames of <paramref name="probe"/> for <paramref name="options"/> and writes their thumbnails into the
    /// clip's folder as frames version <paramref name="version"/>. <paramref name="quick"/> is work someone waits for:
    /// above <see cref="UploadOptions.QuickDecodePixels"/> it writes keyframe stand-ins instead of the exact frames.
    /// </summary>
    public async Task<FrameStrip> WriteAsync(string sourcePath, MediaProbe probe, FrameOptions options, int version, bool quick,
        CancellationToken cancellationToken)
    {
        var plan = FramePlanner.Plan(probe, options);
        bool exact = !quick || DecodeCost(probe, plan) <= limits.Value.QuickDecodePixels;
        DecodedFrames frames;
        string? decodeWarning = null;
        if (exact)
        {
            frames = await extractor.ExtractAsync(sourcePath, probe, plan, firstFrame: 0,
                quick ? FfmpegPriority.Normal : FfmpegPriority.Background, cancellationToken).ConfigureAwait(false);
            if (frames.Count < plan.NFrames)
            {
                decodeWarning = DecodeWarning(probe, plan, frames);
                // The model will see only what decodes, so the strip shows exactly that.
                plan = plan with { NFrames = frames.Count, Indices = frames.Indices };
            }
        }
        else
        {
            int count = Math.Min(QuickKeyframeThumbnails, plan.NFrames);
            var positions = Enumerable.Range(0, count).Select(i => count == 1 ? 0 : (int)Math.Round(i * (plan.NFrames - 1) / (double)(count - 1))).Distinct().ToList();
            frames = await extractor.ExtractKeyframesNearAsync(sourcePath, probe, plan, positions, cancellationToken).ConfigureAwait(false);
        }
        string target = ClipStorage.FramesPath(Path.GetDirectoryName(sourcePath)!, version);
        Directory.CreateDirectory(target);
        for (int i = 0; i < frames.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] jpeg = FrameImageEncoder.Encode(frames, i, FrameImageFormat.Jpeg, quality: 85, maxWidth: ThumbnailWidth);
            await files.WriteAllBytesAsync(Path.Combine(target, $"{i}.jpg"), jpeg, cancellationToken).ConfigureAwait(false);
        }
        // Keyframe stand-ins carry their own indices and times; the plan stays the model's.
        return new FrameStrip(plan, frames.TimestampsSeconds, exact ? null : frames.Indices, exact, decodeWarning);
    }

    /// <summary>Path of thumbnail <paramref name="frameNumber"/> (0-based, in plan order) of a clip's current strip, or null.</summary>
    public static string? FramePath(StoredClip clip, int frameNumber)
    {
        if (frameNumber < 0 || frameNumber >= clip.FrameTimestamps.Length)
        {
            return null;
        }
        string path = Path.Combine(ClipStorage.FramesPath(clip.Folder, clip.FramesVersion), $"{frameNumber}.jpg");
        return File.Exists(path) ? path : null;
    }

    /// <summary>Pixels decoded to reach the last planned frame in one pass.</summary>
    internal static long DecodeCost(MediaProbe probe, FramePlan plan) =>
        (long)probe.Width * probe.Height * (plan.Indices.Length == 0 ? 1 : plan.Indices[^1] + 1L);

    /// <summary>The damaged-file sentence: how many planned frames decoded and how far into the file decoding got.</summary>
    private static string DecodeWarning(MediaProbe probe, FramePlan plan, DecodedFrames frames)
    {
        int reached = frames.Count == 0 ? 0 : frames.Indices[^1] + 1;
        string extent = probe.FrameCount > 0
            ? $"decoding stopped around frame {reached} of the {probe.FrameCount} the file claims"
            : "decoding stopped early";
        return $"Only {frames.Count} of the {plan.NFrames} planned frames could be decoded ({extent}); the file is damaged or cut short, "
            + $"so the model will see those {frames.Count} frame{(frames.Count == 1 ? "" : "s")}.";
    }
}
