using System.ComponentModel.DataAnnotations;

namespace Narrator.Web.Api;

/// <summary>Per-client request rates for the HTTP API, under <c>Narrator:RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Narrator:RateLimits";

    [Range(1, 100_000, ErrorMessage = "Narrator:RateLimits:UploadsPerMinute must be between 1 and 100000.")]
    public int UploadsPerMinute { get; set; } = 20;

    [Range(1, 100_000, ErrorMessage = "Narrator:RateLimits:StartsPerMinute must be between 1 and 100000.")]
    public int StartsPerMinute { get; set; } = 30;
}
