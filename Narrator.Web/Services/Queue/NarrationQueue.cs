using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Narrator.Web.Narrations;

namespace Narrator.Web.Services.Queue;

/// <summary>
/// The bounded, fair queue in front of the model. Accepts or rejects a request at once, tells everyone waiting their
/// position and ETA whenever either changes, prepares frames for the head of the queue ahead of time, hands requests
/// to the model's consumer in arrival order, and cancels by id, by the connection that started it, or on shutdown.
/// </summary>
public sealed class NarrationQueue : IDisposable
{
    // Finished jobs kept for late readers beyond this count are dropped oldest first, whatever their age.
    private const int MaxRetainedFinished = 1000;

    private readonly Lock gate = new();
    private readonly LinkedList<NarrationJob> waiting = new();
    private readonly List<NarrationJob> running = [];
    private readonly Dictionary<string, NarrationJob> jobs = new(StringComparer.Ordinal);
    private readonly Queue<NarrationJob> finishedOrder = new();
    private readonly Dictionary<NarrationOwner, int> activeByOwner = [];
    private readonly Dictionary<NarrationOwner, int> activeByAddress = [];
    private readonly QueueOptions options;
    private readonly IClipPreparer preparer;
    private readonly QueueEtaEstimator estimator;
    private readonly TimeProvider time;
    private readonly ILogger<NarrationQueue> logger;
    private TaskCompletionSource workArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int slots = 1;
    private string? closedMessage;

    public NarrationQueue(
        IOptions<QueueOptions> options, IClipPreparer preparer, QueueEtaEstimator estimator, TimeProvider time, ILogger<NarrationQueue> logger)
    {
        this.options = options.Value;
        this.preparer = preparer;
        this.estimator = estimator;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>
    /// Accepts <paramref name="work"/> for <paramref name="caller"/>'s visitor and returns its job, whose events start with its
    /// queue position. Throws <see cref="NarrationRejectedException"/> at once when the queue is full, the visitor or
    /// their address is at its limit, or the server is stopping.
    /// </summary>
    public NarrationJob Enqueue(NarrationWork work, NarrationCaller caller)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(caller);
        var owner = caller.Owner;
        NarrationJob job;
        lock (gate)
        {
            job = EnqueueLocked(work, caller);
        }
        logger.LogInformation("Narration {NarrationId} queued for {Owner} at position {Position} (clip {ClipId})",
            job.Id, owner, job.Position, work.ClipId);
        return job;
    }

    private NarrationJob EnqueueLocked(NarrationWork work, NarrationCaller caller)
    {
        if (closedMessage is not null)
        {
            throw new NarrationRejectedException(FailureCodes.ShuttingDown, closedMessage);
        }
        var owner = caller.Owner;
        int active = activeByOwner.GetValueOrDefault(owner);
        if (active >= options.PerOwnerLimit)
        {
            throw new NarrationRejectedException(FailureCodes.OwnerLimit,
                $"You already have {active} narration{(active == 1 ? "" : "s")} queued or running (the limit is {options.PerOwnerLimit}); wait for one to finish or cancel it.");
        }
        int fromAddress = activeByAddress.GetValueOrDefault(caller.Address);
        if (fromAddress >= options.PerAddressLimit)
        {
            throw new NarrationRejectedException(FailureCodes.AddressLimit,
                $"{fromAddress} narrations from your network address are already queued or running (the limit is {options.PerAddressLimit}); wait for one to finish.");
        }
        if (waiting.Count >= options.Capacity)
        {
            throw new NarrationRejectedException(FailureCodes.QueueFull,
                $"The queue is full ({options.Capacity} narrations waiting); please try again in a minute.");
        }
        PruneFinished();
        var job = new NarrationJob(NewId(), caller, work, time.GetUtcNow());
        if (caller.FollowedByPage && caller.Connection is { } page)
        {
            job.Followers.Add(page);
        }
        jobs[job.Id] = job;
        waiting.AddLast(job);
        activeByOwner[owner] = active + 1;
        activeByAddress[caller.Address] = fromAddress + 1;
        PublishPositions();
        PrepareHead();
        WakeConsumer();
        return job;
    }

    /// <summary>A live or recently finished narration, or null once only the history has it.</summary>
    public NarrationJob? Find(string id)
    {
        lock (gate)
        {
            return jobs.GetValueOrDefault(id);
        }
    }

    /// <summary>
    /// Drops a finished narration and the finished translation requests of it that are kept for late readers, so neither
    /// its status nor its events are replayed any more. False (nothing dropped) while it or a translation of it is queued or running.
    /// </summary>
    public bool Forget(string narrationId)
    {
        lock (gate)
        {
            var held = jobs.Values.Where(j => j.Id == narrationId || j.Work.Translation?.NarrationId == narrationId).ToList();
            if (held.Any(j => !j.IsFinished))
            {
                return false;
            }
            if (held.Count == 0)
            {
                return true;
            }
            foreach (var job in held)
            {
                jobs.Remove(job.Id);
                job.Cancellation.Dispose();
            }
            var kept = finishedOrder.Where(j => !held.Contains(j)).ToList();
            finishedOrder.Clear();
            foreach (var job in kept)
            {
                finishedOrder.Enqueue(job);
            }
            return true;
        }
    }

    /// <summary>The visitor's queued and running narrations, from every tab and client (running first).</summary>
    public IReadOnlyList<NarrationJob> ActiveFor(NarrationOwner owner)
    {
        lock (gate)
        {
            return [.. running.Where(j => j.Owner == owner), .. waiting.Where(j => j.Owner == owner)];
        }
    }

    /// <summary>Counts for health checks and the page.</summary>
    public QueueSnapshot Snapshot()
    {
        lock (gate)
        {
            return new QueueSnapshot(waiting.Count, running.Count, options.Capacity, slots, closedMessage is not null,
                Math.Round(estimator.TokensPerSecond, 2));
        }
    }

    /// <summary>
    /// Cancels a narration: removed at once if queued, stopped at the next token if running.
    /// Returns false when the id is unknown or the narration already finished.
    /// </summary>
    public bool Cancel(string id, string code = FailureCodes.Cancelled, string message = "The narration was cancelled.")
    {
        lock (gate)
        {
            return jobs.TryGetValue(id, out var job) && CancelLocked(job, code, message);
        }
    }

    /// <summary>
    /// Cancels everything the page or hub connection <paramref name="connection"/> started and is still queued or running
    /// (it closed); the same visitor's narrations from other tabs and clients go on. Returns how many were cancelled.
    /// </summary>
    public int CancelStartedBy(string connection, string code = FailureCodes.Disconnected,
        string message = "The narration was cancelled because its client disconnected.")
    {
        ArgumentException.ThrowIfNullOrEmpty(connection);
        int count = 0;
        lock (gate)
        {
            foreach (var job in running.Concat(waiting).Where(j => j.Connection == connection).ToList())
            {
                count += CancelLocked(job, code, message) ? 1 : 0;
            }
        }
        if (count > 0)
        {
            logger.LogInformation("Cancelled {Count} narration(s) started by {Connection}: {Code}", count, connection, code);
        }
        return count;
    }

    /// <summary>
    /// A page of <paramref name="owner"/> follows narration <paramref name="id"/> (it started it, or re-attached after a
    /// reload or from another tab): while any page follows it, closing another does not cancel it. False when the
    /// narration is unknown, finished or someone else's.
    /// </summary>
    public bool Follow(string id, NarrationOwner owner, string connection)
    {
        ArgumentException.ThrowIfNullOrEmpty(connection);
        lock (gate)
        {
            if (!jobs.TryGetValue(id, out var job) || job.Owner != owner || job.IsFinished || job.CancelReason is not null)
            {
                return false;
            }
            job.Followers.Add(connection);
            job.OrphanGeneration++;
            return true;
        }
    }

    /// <summary>
    /// The page <paramref name="connection"/> went away (tab closed or reloaded). What it followed and no other page
    /// follows is cancelled after <paramref name="grace"/> unless a page re-attaches meanwhile (<see cref="Follow"/>);
    /// with no grace it is cancelled at once. Returns how many narrations were left without a page.
    /// </summary>
    public int Unfollow(string connection, TimeSpan grace)
    {
        ArgumentException.ThrowIfNullOrEmpty(connection);
        var orphans = new List<(NarrationJob Job, int Generation)>();
        lock (gate)
        {
            foreach (var job in running.Concat(waiting).ToList())
            {
                if (job.Followers.Remove(connection) && job.Followers.Count == 0)
                {
                    orphans.Add((job, ++job.OrphanGeneration));
                }
            }
        }
        foreach (var (job, generation) in orphans)
        {
            if (grace <= TimeSpan.Zero)
            {
                CancelOrphan(job, generation);
            }
            else
            {
                _ = CancelOrphanLaterAsync(job, generation, grace);
            }
        }
        if (orphans.Count > 0)
        {
            logger.LogInformation("{Count} narration(s) left without a page by {Connection}; cancelled in {Seconds:0} s unless re-attached",
                orphans.Count, connection, grace.TotalSeconds);
        }
        return orphans.Count;
    }

    private async Task CancelOrphanLaterAsync(NarrationJob job, int generation, TimeSpan grace)
    {
        try
        {
            await Task.WhenAny(Task.Delay(grace, time), job.Finished).ConfigureAwait(false);
        }
        finally
        {
            CancelOrphan(job, generation);
        }
    }

    private void CancelOrphan(NarrationJob job, int generation)
    {
        lock (gate)
        {
            // A page re-attached (or another left again and started a new wait) since: not this wait's to cancel.
            if (job.OrphanGeneration == generation && job.Followers.Count == 0)
            {
                CancelLocked(job, FailureCodes.Disconnected, "The narration was cancelled because its page was closed and nobody re-opened it.");
            }
        }
    }

    /// <summary>Stops taking work: new requests are refused, everyone queued is told why, running work is cancelled.</summary>
    public void Close(string message)
    {
        lock (gate)
        {
            if (closedMessage is not null)
            {
                return;
            }
            closedMessage = message;
            foreach (var job in running.Concat(waiting).ToList())
            {
                CancelLocked(job, FailureCodes.ShuttingDown, message);
            }
            WakeConsumer();
        }
        logger.LogInformation("Narration queue closed: {Reason}", message);
    }

    /// <summary>How many requests the engine runs at once; set by the consumer when the engine is loaded.</summary>
    internal void SetSlots(int count)
    {
        lock (gate)
        {
            slots = Math.Max(1, count);
            PublishPositions();
        }
    }

    /// <summary>Waits for the oldest queued request and marks it running; throws when cancelled or the queue is closed.</summary>
    internal async Task<NarrationJob> TakeNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (gate)
            {
                if (closedMessage is not null)
                {
                    throw new OperationCanceledException("The narration queue is closed.");
                }
                if (waiting.First is { } first)
                {
                    var job = first.Value;
                    waiting.RemoveFirst();
                    running.Add(job);
                    job.State = NarrationState.Running;
                    job.Position = 0;
                    job.StartedAt = time.GetUtcNow();
                    job.TimeInQueue = Stopwatch.GetElapsedTime(job.EnqueuedTimestamp);
                    job.Publish(new StartedEvent { NarrationId = job.Id });
                    PublishPositions();
                    PrepareHead();
                    return job;
                }
                wait = workArrived.Task;
            }
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends a running job with its final event (completed, or failed including cancelled) and frees its owner's slot.</summary>
    internal void Finish(NarrationJob job, NarrationEvent final)
    {
        lock (gate)
        {
            if (job.IsFinished)
            {
                return;
            }
            running.Remove(job);
            waiting.Remove(job);
            EndLocked(job, final);
            PublishPositions();
        }
    }

    /// <summary>
    /// Completes a running job and, in the same step, queues <paramref name="followUp"/> (its translation) for the same
    /// owner, so the slot the job frees goes to its follow-up and nobody else's request can take it in between. The
    /// completed event names the follow-up's id, or says why it could not be queued. Returns the follow-up, or null.
    /// </summary>
    internal NarrationJob? FinishWithFollowUp(NarrationJob job, CompletedEvent final, NarrationWork followUp)
    {
        NarrationJob? next = null;
        lock (gate)
        {
            if (job.IsFinished)
            {
                return null;
            }
            running.Remove(job);
            waiting.Remove(job);
            var (code, message) = (FailureCodes.ShuttingDown, closedMessage);
            if (message is null && waiting.Count >= options.Capacity)
            {
                (code, message) = (FailureCodes.QueueFull, $"The queue is full ({options.Capacity} requests waiting); ask for the translation again in a minute.");
            }
            if (message is not null)
            {
                EndLocked(job, final with { TranslationError = message });
                PublishPositions();
                logger.LogInformation("Follow-up of {NarrationId} not queued ({Code})", job.Id, code);
                return null;
            }
            // The id is chosen first so the completed event can name it; the job's slot is freed before the follow-up takes one.
            string id = NewId();
            EndLocked(job, final with { TranslationId = id });
            PruneFinished();
            // The follow-up is the same caller's: its tab closing cancels it too, and it counts against the same limits.
            next = new NarrationJob(id, new NarrationCaller(job.Owner, job.Address, job.Connection), followUp, time.GetUtcNow());
            jobs[id] = next;
            waiting.AddLast(next);
            activeByOwner[job.Owner] = activeByOwner.GetValueOrDefault(job.Owner) + 1;
            activeByAddress[job.Address] = activeByAddress.GetValueOrDefault(job.Address) + 1;
            PublishPositions();
            PrepareHead();
            WakeConsumer();
        }
        logger.LogInformation("Translation {NarrationId} queued after narration {SourceId} for {Owner}", next.Id, job.Id, job.Owner);
        return next;
    }

    public void Dispose()
    {
        Close("The server is shutting down; please try again in a minute.");
        lock (gate)
        {
            // Only finished jobs' sources are disposed: a consumer may still be observing a running one.
            foreach (var job in jobs.Values.Where(j => j.IsFinished))
            {
                job.Cancellation.Dispose();
            }
            jobs.Clear();
        }
    }

    private bool CancelLocked(NarrationJob job, string code, string message)
    {
        if (job.IsFinished || job.CancelReason is not null)
        {
            return false;
        }
        job.CancelReason = (code, message);
        if (job.State == NarrationState.Queued)
        {
            waiting.Remove(job);
            EndLocked(job, new FailedEvent(message) { NarrationId = job.Id, Code = code });
            PublishPositions();
            PrepareHead();
        }
        // A running job stops at its next token; the consumer then calls Finish with the partial text.
        job.Cancellation.Cancel();
        return true;
    }

    private void EndLocked(NarrationJob job, NarrationEvent final)
    {
        job.State = NarrationStates.After(final);
        job.Failure = final as FailedEvent;
        job.Stats = (final as CompletedEvent)?.Stats ?? job.Stats;
        job.FinishedAt = time.GetUtcNow();
        job.Position = 0;
        job.ReleasePreparation();
        job.Publish(final);
        job.MarkFinished();
        Release(activeByOwner, job.Owner);
        Release(activeByAddress, job.Address);
        finishedOrder.Enqueue(job);
    }

    private static void Release(Dictionary<NarrationOwner, int> counts, NarrationOwner key)
    {
        int active = counts.GetValueOrDefault(key) - 1;
        if (active > 0)
        {
            counts[key] = active;
        }
        else
        {
            counts.Remove(key);
        }
    }

    /// <summary>Tells each waiting owner their position and ETA when either has changed enough to matter.</summary>
    private void PublishPositions()
    {
        if (waiting.Count == 0)
        {
            return;
        }
        var remaining = new List<double>(running.Count);
        foreach (var job in running)
        {
            remaining.Add(estimator.EstimateRemainingSeconds(job.Work, time.GetUtcNow() - (job.StartedAt ?? time.GetUtcNow())));
        }
        var works = new List<NarrationWork>(waiting.Count);
        foreach (var job in waiting)
        {
            works.Add(job.Work);
        }
        var waits = estimator.EstimateWaits(remaining, works, slots);
        int position = 1;
        foreach (var job in waiting)
        {
            double eta = Math.Round(waits[position - 1], 1);
            // An ETA that moved by less than a second (or 10%) is noise, not news.
            bool etaMoved = Math.Abs(eta - job.EtaSeconds) >= Math.Max(1, 0.1 * job.EtaSeconds);
            if (job.Position != position || etaMoved)
            {
                job.Position = position;
                job.EtaSeconds = eta;
                job.Publish(new QueuedEvent(position, eta) { NarrationId = job.Id });
            }
            position++;
        }
    }

    /// <summary>
    /// Starts frame preparation for the first PrepareAhead waiting jobs (the preparer's pool bounds the CPU work). A long
    /// video is prepared segment by segment once it runs, so it is not prepared whole here; a translation needs no frames.
    /// </summary>
    private void PrepareHead()
    {
        int count = 0;
        for (var node = waiting.First; node is not null && count < options.PrepareAhead; node = node.Next, count++)
        {
            if (node.Value.Work.Segmentation is null && node.Value.Work.NeedsFrames)
            {
                node.Value.EnsurePreparation(preparer);
            }
        }
    }

    private void WakeConsumer()
    {
        var wake = workArrived;
        workArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        wake.TrySetResult();
    }

    private void PruneFinished()
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromMinutes(options.RetainFinishedMinutes);
        while (finishedOrder.TryPeek(out var oldest) && (oldest.FinishedAt < cutoff || finishedOrder.Count > MaxRetainedFinished))
        {
            finishedOrder.Dequeue();
            jobs.Remove(oldest.Id);
            oldest.Cancellation.Dispose();
        }
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}

/// <summary>Queue figures for /readyz and the page.</summary>
public sealed record QueueSnapshot(int Waiting, int Running, int Capacity, int Slots, bool Closed, double RecentTokensPerSecond);
