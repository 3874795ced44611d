using Microsoft.AspNetCore.SignalR;
using Narrator.Web.Api;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Visitors;

namespace Narrator.Web.Hubs;

/// <summary>
/// <c>/hubs/narration</c>: <c>Narrate(request)</c> streams one narration's events (queued, started, stage, token,
/// completed or failed) to the caller; <c>Cancel(id)</c> stops one of the caller's own. A connection acts for the
/// visitor whose cookie it connected with (the per-visitor limits count all their tabs and clients); closing it (or
/// abandoning a stream) cancels only what this connection started.
/// </summary>
public sealed class NarrationHub(NarrationService narrations, ClientRateLimits rateLimits, ILogger<NarrationHub> logger) : Hub
{
    public const string Route = "/hubs/narration";

    private string ConnectionHandle => "connection:" + Context.ConnectionId;

    /// <summary>Starts a narration and streams its events; a refused request yields a single failed event saying why.</summary>
    public IAsyncEnumerable<NarrationEvent> Narrate(NarrationRequest request, CancellationToken cancellationToken)
    {
        var caller = Caller();
        using (var lease = rateLimits.AcquireStart(caller.Owner, caller.Address))
        {
            if (!lease.IsAcquired)
            {
                logger.LogInformation("Narration refused for {Owner}: rate limited", caller.Owner);
                return Single(Refused(FailureCodes.RateLimited, ClientRateLimits.RefusalSentence));
            }
        }
        return narrations.NarrateAsync(request, caller, cancellationToken);
    }

    /// <summary>Cancels one of the caller's narrations by id; true when it was queued or running, false when it had ended, is unknown or is someone else's.</summary>
    public async Task<bool> Cancel(string narrationId)
    {
        if (string.IsNullOrEmpty(narrationId))
        {
            return false;
        }
        var outcome = await narrations.CancelAsync(narrationId, Caller().Owner, Context.ConnectionAborted).ConfigureAwait(false);
        if (outcome == CancelOutcome.NotYours)
        {
            logger.LogInformation("Cancel of narration {NarrationId} refused: it belongs to another visitor", narrationId);
        }
        return outcome == CancelOutcome.Cancelled;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        narrations.CancelStartedBy(ConnectionHandle);
        return base.OnDisconnectedAsync(exception);
    }

    private static async IAsyncEnumerable<NarrationEvent> Single(NarrationEvent narrationEvent)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return narrationEvent;
    }

    private static FailedEvent Refused(string code, string message) => new(message) { NarrationId = "", Code = code };

    private NarrationCaller Caller() =>
        VisitorCookie.CallerOf(Context.GetHttpContext() ?? throw new InvalidOperationException("The hub connection has no HTTP context."), ConnectionHandle);
}
