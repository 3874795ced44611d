using System.ComponentModel.DataAnnotations;

namespace Narrator.Web.Services.Clips;

/// <summary>Limits on what a visitor may upload, under <c>Narrator:Uploads</c>.</summary>
public sealed class UploadOptions
{
    public const string Section = "Narrator:Uploads";

    [Range(1, long.MaxValue, ErrorMessage = "Narrator:Uploads:MaxBytes must be a positive number of bytes.")]
    public long MaxBytes { get; set; } = 200L * 1024 * 1024;

    [Range(0.1, 86_400, ErrorMessage = "Narrator:Uploads:MaxDurationSeconds must be between 0.1 and 86400 seconds.")]
    /// <summary>Longest clip accepted; clips longer than Narrator:Segmentation:LongVideoSeconds are narrated segment by segment.</summary>
    public double MaxDurationSeconds { get; set; } = 600;

    [Range(16, 16_384, ErrorMessage = "Narrator:Uploads:MaxWidth must be between 16 and 16384 pixels.")]
    public int MaxWidth { get; set; } = 4096;

    [Range(16, 16_384, ErrorMessage = "Narrator:Uploads:MaxHeight must be between 16 and 16384 pixels.")]
    public int MaxHeight { get; set; } = 4096;

    [Range(1, 10_000_000, ErrorMessage = "Narrator:Uploads:MaxFrameCount must be between 1 and 10000000 frames.")]
    public int MaxFrameCount { get; set; } = 36_000;

    /// <summary>How long an uploaded clip and its frames/preview are kept before they are deleted.</summary>
    [Range(1, 10_080, ErrorMessage = "Narrator:Uploads:ClipLifetimeMinutes must be between 1 minute and 7 days (10080).")]
    public int ClipLifetimeMinutes { get; set; } = 120;

    /// <summary>How often expired clips are looked for.</summary>
    [Range(1, 3_600, ErrorMessage = "Narrator:Uploads:SweepIntervalSeconds must be between 1 and 3600 seconds.")]
    public int SweepIntervalSeconds { get; set; } = 60;

    /// <summary>Seconds ffprobe/ffmpeg may spend on one upload's probe, frames or preview before it is refused.</summary>
    [Range(1, 3_600, ErrorMessage = "Narrator:Uploads:ProcessingTimeoutSeconds must be between 1 and 3600 seconds.")]
    public int ProcessingTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// Decoded pixels (width x height x frames up to the last planned one) the exact thumbnails of an upload may cost
    /// while the visitor waits; above it the first thumbnails are keyframes near the planned times and the exact ones
    /// are made in the background. The default is a few seconds of H.264 decoding on two cores.
    /// </summary>
    [Range(1_000_000, long.MaxValue, ErrorMessage = "Narrator:Uploads:QuickDecodePixels must be at least 1000000 pixels.")]
    public long QuickDecodePixels { get; set; } = 3_000_000_000;

    /// <summary>
    /// Decoded pixels (width x height x frames) above which the background split of a long upload scores keyframes
    /// only; the default lets a 10-minute 1080p clip be split on every frame and a 4096x4096 one on keyframes.
    /// </summary>
    [Range(1_000_000, long.MaxValue, ErrorMessage = "Narrator:Uploads:BackgroundDecodePixels must be at least 1000000 pixels.")]
    public long BackgroundDecodePixels { get; set; } = 100_000_000_000;

    /// <summary>Heavy upload work (preview transcodes, exact frames of very large clips, splits) run at once; 0 means max(2, half the cores).</summary>
    [Range(0, 64, ErrorMessage = "Narrator:Uploads:BackgroundConcurrency must be between 0 (automatic) and 64.")]
    public int BackgroundConcurrency { get; set; }

    /// <summary>Bytes all stored clips (uploads, frames, previews) may take together; 0 means half the free disk space when the app starts.</summary>
    [Range(0, long.MaxValue, ErrorMessage = "Narrator:Uploads:StorageQuotaBytes must be 0 (half the free disk) or a number of bytes.")]
    public long StorageQuotaBytes { get; set; }

    /// <summary>Bytes one visitor's stored clips may take together.</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Narrator:Uploads:OwnerQuotaBytes must be a positive number of bytes.")]
    public long OwnerQuotaBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    public TimeSpan ClipLifetime => TimeSpan.FromMinutes(ClipLifetimeMinutes);

    public int EffectiveBackgroundConcurrency =>
        BackgroundConcurrency > 0 ? BackgroundConcurrency : Math.Max(2, Environment.ProcessorCount / 2);
}
