using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Narrator.Web.Api;

/// <summary>
/// Per-client-address fixed-window limits on uploads and narration starts. The HTTP endpoints use them through the
/// ASP.NET rate-limiting middleware (policies <see cref="UploadsPolicy"/> and <see cref="StartsPolicy"/>); the hub asks directly.
/// </summary>
public sealed class ClientRateLimits : IDisposable
{
    public const string UploadsPolicy = "uploads";
    public const string StartsPolicy = "starts";

    private readonly PartitionedRateLimiter<string> uploads;
    private readonly PartitionedRateLimiter<string> starts;

    public ClientRateLimits(IOptions<RateLimitOptions> options)
    {
        uploads = PerAddress(options.Value.UploadsPerMinute);
        starts = PerAddress(options.Value.StartsPerMinute);
    }

    public RateLimitLease AcquireUpload(string? address) => uploads.AttemptAcquire(Key(address));

    public RateLimitLease AcquireStart(string? address) => starts.AttemptAcquire(Key(address));

    /// <summary>Registers the two middleware policies, answering a refusal with a 429 ProblemDetails and Retry-After.</summary>
    public static void Configure(RateLimiterOptions options)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.AddPolicy(UploadsPolicy, context => Partition(context, limits => limits.uploads));
        options.AddPolicy(StartsPolicy, context => Partition(context, limits => limits.starts));
        options.OnRejected = async (context, cancellationToken) =>
        {
            if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
            {
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            await TypedResults.Problem(
                title: "Too many requests",
                detail: "Too many requests from your address; please wait a minute and try again.",
                statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext).ConfigureAwait(false);
        };
    }

    public void Dispose()
    {
        uploads.Dispose();
        starts.Dispose();
    }

    private static RateLimitPartition<string> Partition(HttpContext context, Func<ClientRateLimits, PartitionedRateLimiter<string>> pick)
    {
        var limits = context.RequestServices.GetRequiredService<ClientRateLimits>();
        string key = Key(context.Connection.RemoteIpAddress?.ToString());
        // Delegate to the shared per-address limiter so the hub and the HTTP API count against the same budget.
        return RateLimitPartition.Get(key, _ => new SharedPartition(pick(limits), key));
    }

    private static string Key(string? address) => string.IsNullOrEmpty(address) ? "unknown" : address;

    private static PartitionedRateLimiter<string> PerAddress(int perMinute) =>
        PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>A middleware partition that forwards to one address's slot in a shared limiter.</summary>
    private sealed class SharedPartition(PartitionedRateLimiter<string> shared, string key) : RateLimiter
    {
        // Always "idle": the middleware may drop this forwarder at will, the counts live in the shared limiter.
        public override TimeSpan? IdleDuration => TimeSpan.FromMinutes(1);

        public override RateLimiterStatistics? GetStatistics() => shared.GetStatistics(key);

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => shared.AttemptAcquire(key, permitCount);

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            shared.AcquireAsync(key, permitCount, cancellationToken);
    }
}
