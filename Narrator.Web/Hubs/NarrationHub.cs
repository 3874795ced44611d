using Microsoft.AspNetCore.SignalR;
using Narrator.Web.Api;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Hubs;

/// <summary>
/// <c>/hubs/narration</c>: <c>Narrate(request)</c> streams one narration's events (queued, started, stage, token,
/// completed or failed) to the caller; <c>Cancel(id)</c> stops one. The connection owns its requests: closing it
/// (or abandoning the stream) cancels them.
/// </summary>
public sealed class NarrationHub(NarrationService narrations, ClientRateLimits rateLimits, ILogger<NarrationHub> logger) : Hub
{
    public const string Route = "/hubs/narration";

    private NarrationOwner Owner => NarrationOwner.ForConnection(Context.ConnectionId);

    /// <summary>Starts a narration and streams its events; a refused request yields a single failed event saying why.</summary>
    public IAsyncEnumerable<NarrationEvent> Narrate(NarrationRequest request, CancellationToken cancellationToken)
    {
        using (var lease = rateLimits.AcquireStart(ClientAddress()))
        {
            if (!lease.IsAcquired)
            {
                logger.LogInformation("Narration refused for {Owner}: rate limited", Owner);
                return Single(Refused(FailureCodes.RateLimited, "Too many narrations started from your address; please wait a minute and try again."));
            }
        }
        return narrations.NarrateAsync(request, Owner, cancellationToken);
    }

    /// <summary>Cancels a narration by id; true when it was queued or running.</summary>
    public bool Cancel(string narrationId) => !string.IsNullOrEmpty(narrationId) && narrations.Cancel(narrationId);

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        narrations.CancelAll(Owner);
        return base.OnDisconnectedAsync(exception);
    }

    private static async IAsyncEnumerable<NarrationEvent> Single(NarrationEvent narrationEvent)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return narrationEvent;
    }

    private static FailedEvent Refused(string code, string message) => new(message) { NarrationId = "", Code = code };

    private string? ClientAddress() => Context.GetHttpContext()?.Connection.RemoteIpAddress?.ToString();
}
