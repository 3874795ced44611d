using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Visitors;

namespace Narrator.Web.Api;

/// <summary>
/// Fixed-window limits on uploads and narration starts: per visitor (their cookie, over every tab and client) and,
/// as a wider net for callers who drop their cookie, per client address. A request needs a permit from both. The HTTP
/// endpoints use them through the ASP.NET rate-limiting middleware (policies <see cref="UploadsPolicy"/> and
/// <see cref="StartsPolicy"/>); the hub asks directly, so both count against the same budgets.
/// </summary>
public sealed class ClientRateLimits : IDisposable
{
    public const string UploadsPolicy = "uploads";
    public const string StartsPolicy = "starts";

    public const string RefusalSentence = "Too many requests from you or your network address; please wait a minute and try again.";

    private readonly PartitionedRateLimiter<RateKey> uploads;
    private readonly PartitionedRateLimiter<RateKey> starts;
    private readonly List<IDisposable> limiters = [];

    public ClientRateLimits(IOptions<RateLimitOptions> options)
    {
        uploads = Chain(options.Value.UploadsPerMinute, options.Value.UploadsPerMinutePerAddress);
        starts = Chain(options.Value.StartsPerMinute, options.Value.StartsPerMinutePerAddress);
    }

    public RateLimitLease AcquireUpload(NarrationOwner visitor, NarrationOwner address) => uploads.AttemptAcquire(new RateKey(visitor, address));

    public RateLimitLease AcquireStart(NarrationOwner visitor, NarrationOwner address) => starts.AttemptAcquire(new RateKey(visitor, address));

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
            await ApiProblems.Problem(StatusCodes.Status429TooManyRequests, "Too many requests", RefusalSentence, FailureCodes.RateLimited)
                .ExecuteAsync(context.HttpContext).ConfigureAwait(false);
        };
    }

    public void Dispose()
    {
        foreach (var limiter in limiters)
        {
            limiter.Dispose();
        }
    }

    private static RateLimitPartition<string> Partition(HttpContext context, Func<ClientRateLimits, PartitionedRateLimiter<RateKey>> pick)
    {
        var limits = context.RequestServices.GetRequiredService<ClientRateLimits>();
        var caller = VisitorCookie.CallerOf(context);
        var key = new RateKey(caller.Owner, caller.Address);
        // Delegate to the shared limiters so the hub and the HTTP API count against the same budgets.
        return RateLimitPartition.Get(key.ToString(), _ => new SharedPartition(pick(limits), key));
    }

    private PartitionedRateLimiter<RateKey> Chain(int perVisitor, int perAddress)
    {
        var byVisitor = PerMinute(key => key.Visitor.Value, perVisitor);
        var byAddress = PerMinute(key => key.Address.Value, perAddress);
        var chained = PartitionedRateLimiter.CreateChained(byVisitor, byAddress);
        limiters.AddRange([chained, byVisitor, byAddress]);
        return chained;
    }

    private static PartitionedRateLimiter<RateKey> PerMinute(Func<RateKey, string> partition, int perMinute) =>
        PartitionedRateLimiter.Create<RateKey, string>(key => RateLimitPartition.GetFixedWindowLimiter(partition(key), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    private readonly record struct RateKey(NarrationOwner Visitor, NarrationOwner Address)
    {
        public override string ToString() => $"{Visitor.Value}|{Address.Value}";
    }

    /// <summary>A middleware partition that forwards to one caller's slots in the shared limiters.</summary>
    private sealed class SharedPartition(PartitionedRateLimiter<RateKey> shared, RateKey key) : RateLimiter
    {
        // Always "idle": the middleware may drop this forwarder at will, the counts live in the shared limiters.
        public override TimeSpan? IdleDuration => TimeSpan.FromMinutes(1);

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => shared.AttemptAcquire(key, permitCount);

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            shared.AcquireAsync(key, permitCount, cancellationToken);
    }
}
