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

    public TimeSpan ClipLifetime => TimeSpan.FromMinutes(ClipLifetimeMinutes);
}
