using System.ComponentModel.DataAnnotations;

namespace Narrator.Web.Api;

/// <summary>
/// Request rates, under <c>Narrator:RateLimits</c>: per visitor (their cookie) and, for callers who drop the cookie, per
/// client address. A request needs room in both.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Narrator:RateLimits";

    [Range(1, 100_000, ErrorMessage = "Narrator:RateLimits:UploadsPerMinute must be between 1 and 100000.")]
    public int UploadsPerMinute { get; set; } = 20;

    [Range(1, 100_000, ErrorMessage = "Narrator:RateLimits:StartsPerMinute must be between 1 and 100000.")]
    public int StartsPerMinute { get; set; } = 30;

    /// <summary>Uploads from one client address (every visitor behind it together).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Narrator:RateLimits:UploadsPerMinutePerAddress must be between 1 and 1000000.")]
    public int UploadsPerMinutePerAddress { get; set; } = 60;

    /// <summary>Narration starts from one client address (every visitor behind it together).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Narrator:RateLimits:StartsPerMinutePerAddress must be between 1 and 1000000.")]
    public int StartsPerMinutePerAddress { get; set; } = 90;
}
