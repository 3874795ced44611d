using System.Runtime.CompilerServices;
using Narrator.Web.Narrations;

namespace Narrator.Web.Services.Queue;

/// <summary>
/// Every event of one narration, in order, readable by any number of followers from any point
/// (a SignalR stream, an SSE reader that reconnects with Last-Event-ID, the page).
/// </summary>
internal sealed class NarrationEventLog
{
    private readonly Lock gate = new();
    private readonly List<NarrationEvent> events = [];
    private TaskCompletionSource appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool closed;

    public int Count
    {
        get { lock (gate) { return events.Count; } }
    }

    public bool IsClosed
    {
        get { lock (gate) { return closed; } }
    }

    /// <summary>Adds an event; a completed or failed event closes the log. Returns false when the log was already closed.</summary>
    public bool Append(NarrationEvent narrationEvent)
    {
        TaskCompletionSource wake;
        lock (gate)
        {
            if (closed)
            {
                return false;
            }
            events.Add(narrationEvent);
            closed = narrationEvent is CompletedEvent or FailedEvent;
            wake = appended;
            appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.TrySetResult();
        return true;
    }

    public NarrationEvent? Last
    {
        get { lock (gate) { return events.Count > 0 ? events[^1] : null; } }
    }

    /// <summary>Events from <paramref name="fromIndex"/> on, paired with their index, ending after the final event.</summary>
    public async IAsyncEnumerable<(int Index, NarrationEvent Event)> ReadAsync(
        int fromIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int next = Math.Max(0, fromIndex);
        var batch = new List<NarrationEvent>();
        while (true)
        {
            Task wait;
            bool done;
            lock (gate)
            {
                batch.Clear();
                for (int i = next; i < events.Count; i++)
                {
                    batch.Add(events[i]);
                }
                done = closed;
                wait = appended.Task;
            }
            foreach (var item in batch)
            {
                yield return (next++, item);
            }
            if (done)
            {
                // Nothing is appended after the final event, so this batch held the rest.
                yield break;
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (batch.Count == 0)
            {
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
