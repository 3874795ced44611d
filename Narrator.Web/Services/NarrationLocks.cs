namespace Narrator.Web.Services;

/// <summary>
/// One lock per narration id for the changes that must not interleave with deleting it: publishing a share link and
/// queueing a translation each check that the narration exists and then write (a share row, a queued request), cancelling
/// a queued request writes its end, and a delete checks that nothing of it is live and then removes its rows. Holding the narration's lock across its check and
/// its write, a share or translation either lands before the delete (which then sees and removes or refuses it) or finds
/// the narration gone (answered as unknown). A lock lives only while someone holds or waits for it.
/// </summary>
public sealed class NarrationLocks
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Held> held = new(StringComparer.Ordinal);

    /// <summary>
    /// Test seam: awaited by each change while it holds the lock, after its check and before its write (a test holds one
    /// change there to run another against it); null in the app.
    /// </summary>
    internal Func<NarrationChange, string, Task>? Checked { get; set; }

    /// <summary>Waits for the narration's lock; dispose the result to release it.</summary>
    public async Task<IDisposable> HoldAsync(string narrationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(narrationId);
        Held entry;
        lock (gate)
        {
            if (!held.TryGetValue(narrationId, out entry!))
            {
                held[narrationId] = entry = new Held();
            }
            entry.Users++;
        }
        try
        {
            await entry.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(narrationId, entry);
            throw;
        }
        return new Release(this, narrationId, entry);
    }

    /// <summary>How many wait for the narration's lock while someone holds it (a test waits for a change to queue up behind another).</summary>
    internal int Waiting(string narrationId)
    {
        lock (gate)
        {
            return held.TryGetValue(narrationId, out var entry) ? Math.Max(0, entry.Users - 1) : 0;
        }
    }

    /// <summary>Where a change has checked the narration and is about to write (see <see cref="Checked"/>).</summary>
    internal Task CheckedAsync(NarrationChange change, string narrationId) => Checked?.Invoke(change, narrationId) ?? Task.CompletedTask;

    private void Leave(string narrationId, Held entry)
    {
        lock (gate)
        {
            if (--entry.Users == 0)
            {
                held.Remove(narrationId);
                entry.Semaphore.Dispose();
            }
        }
    }

    private sealed class Held
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        /// <summary>Holders and waiters (under the dictionary's lock).</summary>
        public int Users { get; set; }
    }

    private sealed class Release(NarrationLocks owner, string narrationId, Held entry) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                entry.Semaphore.Release();
                owner.Leave(narrationId, entry);
            }
        }
    }
}

/// <summary>The changes to a narration that take its lock.</summary>
public enum NarrationChange
{
    Delete,
    Share,
    Translate,

    /// <summary>Cancelling a queued narration or translation request of it, whose end is then written to the history.</summary>
    Cancel,
}
