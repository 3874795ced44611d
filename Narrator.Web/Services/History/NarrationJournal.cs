using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.History;

/// <summary>
/// Keeps the history in step with the live narrations, so none is lost to a crash or a full disk: each is recorded
/// when it is accepted, its text so far is written at most once per <c>Narrator:History:CheckpointSeconds</c> while it
/// runs, and its end as it happens. A write that fails changes nothing for the visitor: the narration stays here,
/// readable by id, exportable and listed for its owner, and is written again after pauses that double up to
/// <c>MaxRetrySeconds</c> until the disk has room. A translation request is kept the same way, as its languages from the
/// moment it is queued (stored with their narration, not as a narration of its own). At start, narrations and translations an
/// earlier run left queued or running are marked interrupted.
/// </summary>
public sealed class NarrationJournal(
    NarrationHistory history, IOptions<HistoryOptions> options, TimeProvider time, ILogger<NarrationJournal> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly Lock backoffGate = new();
    private TimeSpan backoff = TimeSpan.Zero;
    private DateTimeOffset nextAttempt = DateTimeOffset.MinValue;
    private bool failing;
    private volatile bool recovered;

    /// <summary>Narrations not yet fully written (live ones, and ended ones waiting for room on the disk).</summary>
    public int Pending => entries.Count;

    /// <summary>Records a narration the queue has just accepted; if the write fails it is retried, the narration goes on.</summary>
    public async Task AcceptedAsync(NarrationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var entry = entries.GetOrAdd(job.Id, _ => new Entry(job));
        await TryWriteAsync(entry).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes how a narration ended, before its final event goes out (so a client that reads the history right after
    /// "completed" finds it). Never throws: if the write fails the record waits here for the next attempt.
    /// </summary>
    public async Task FinishedAsync(NarrationJob job, NarrationEvent final)
    {
        ArgumentNullException.ThrowIfNull(job);
        var entry = entries.GetOrAdd(job.Id, _ => new Entry(job));
        entry.Final = job.ToRecord(final, time.GetUtcNow());
        await TryWriteAsync(entry).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a live request as it stands now, ignoring the checkpoint interval (a translation's language has just started
    /// or ended, and a reader of its narration must find it). Never throws: a failed write is retried like any other.
    /// </summary>
    public async Task WriteNowAsync(NarrationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var entry = entries.GetOrAdd(job.Id, _ => new Entry(job));
        entry.Forced = true;
        await TryWriteAsync(entry).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops an ended narration and the ended translation requests of it that this journal still holds (a deleted one must
    /// not be written back later); each waits for a write of it in progress to end. Returns how many were dropped.
    /// </summary>
    public async Task<int> ForgetAsync(string narrationId)
    {
        int dropped = 0;
        foreach (var entry in entries.Values.Where(e => e.Job.Id == narrationId || e.Job.Work.Translation?.NarrationId == narrationId))
        {
            await entry.Gate.WaitAsync().ConfigureAwait(false);
            try
            {
                entry.Forgotten = true;
                if (entries.TryRemove(new KeyValuePair<string, Entry>(entry.Job.Id, entry)))
                {
                    dropped++;
                }
            }
            finally
            {
                entry.Gate.Release();
            }
        }
        return dropped;
    }

    /// <summary>A narration the history does not hold yet (or holds an older state of), or null.</summary>
    public NarrationRecord? Find(string id) => entries.TryGetValue(id, out var entry) ? entry.Record() : null;

    /// <summary>True when <paramref name="id"/> is a translation request held here.</summary>
    public bool IsTranslationRequest(string id) => entries.TryGetValue(id, out var entry) && entry.Job.Work.Translation is not null;

    /// <summary>Who a narration held here belongs to, or null.</summary>
    public NarrationOwner? OwnerOf(string id) => entries.TryGetValue(id, out var entry) ? entry.Job.Owner : null;

    /// <summary>Ended narrations still waiting to be written, filtered like a history query (so lists do not miss them).</summary>
    public IReadOnlyList<NarrationRecord> Unwritten(HistoryQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var found = new List<NarrationRecord>();
        foreach (var entry in entries.Values)
        {
            // A translation request is stored with its narration, never listed as one.
            if (entry.Ended && entry.Job.Work.Translation is null && (query.Owner is not { } owner || entry.Job.Owner == owner) && entry.Record() is { } record && Matches(record, query))
            {
                found.Add(record);
            }
        }
        return found;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server answers anyone, so no list shows an old narration as still running.
        await TryMarkInterruptedAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // The queue was closed before this stops: write what the shutdown ended, once, ignoring the back-off.
        await WriteDueAsync(ignoreBackoff: true).ConfigureAwait(false);
        if (!entries.IsEmpty)
        {
            logger.LogError("{Count} narration(s) could not be written to the history before the server stopped", entries.Count);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!recovered)
                {
                    await TryMarkInterruptedAsync(stoppingToken).ConfigureAwait(false);
                }
                await WriteDueAsync(ignoreBackoff: false).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Writes every narration that changed since its last write (in arrival order), unless a failure asked for a pause.</summary>
    private async Task WriteDueAsync(bool ignoreBackoff)
    {
        lock (backoffGate)
        {
            if (!ignoreBackoff && time.GetUtcNow() < nextAttempt)
            {
                return;
            }
        }
        foreach (var entry in entries.Values.OrderBy(e => e.Job.CreatedAt))
        {
            if (entry.IsDue && !await TryWriteAsync(entry).ConfigureAwait(false))
            {
                // The disk is what failed, not this narration: wait before trying any of them again.
                return;
            }
        }
    }

    private async Task<bool> TryWriteAsync(Entry entry)
    {
        await entry.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (entry.Forgotten)
            {
                return true;
            }
            // A fast narration can end and be written before its acceptance is recorded: never write it back to "queued".
            if (entry.Job.EndStored)
            {
                entries.TryRemove(new KeyValuePair<string, Entry>(entry.Job.Id, entry));
                return true;
            }
            if (!entry.IsDue)
            {
                return true;
            }
            // Read before the snapshot: a change made while writing is seen as due next time.
            int version = entry.Job.EventCount;
            bool ended = entry.Ended;
            entry.Forced = false;
            if (entry.Job.Work.Translation is { } translation)
            {
                await WriteTranslationAsync(entry, translation).ConfigureAwait(false);
            }
            else
            {
                await history.SaveAsync(entry.Record(), entry.Job.Owner, CancellationToken.None).ConfigureAwait(false);
            }
            entry.WrittenVersion = version;
            if (ended)
            {
                entry.Job.EndStored = true;
                entries.TryRemove(new KeyValuePair<string, Entry>(entry.Job.Id, entry));
            }
            Succeeded();
            return true;
        }
        catch (Exception ex)
        {
            Failed(ex, entry.Job.Id);
            return false;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>
    /// Writes a translation request's languages, each ended one only once. A language still queued is stored as queued
    /// while the request lives; once the request has ended without starting it (cancelled, refused, an earlier language
    /// failed) its queued row is removed, unless the server is shutting down, when it stays for the restart to read as
    /// interrupted (it never started), or another live request for the narration asks for that language too.
    /// </summary>
    private async Task WriteTranslationAsync(Entry entry, TranslationWork translation)
    {
        bool dropQueued = entry.Ended && EndCode(entry) != FailureCodes.ShuttingDown;
        foreach (var language in entry.Job.Translations.Snapshot())
        {
            if (language.State == NarrationState.Queued && dropQueued)
            {
                if (!AskedForByAnother(entry, translation.NarrationId, language.Language))
                {
                    await history.ForgetQueuedTranslationAsync(translation.NarrationId, language.Language, CancellationToken.None).ConfigureAwait(false);
                }
                continue;
            }
            bool final = !language.State.IsLive();
            if (final && entry.EndedLanguagesWritten.Contains(language.Language))
            {
                continue;
            }
            await history.SaveTranslationAsync(translation.NarrationId, entry.Job.Owner, entry.Job.Work.ClipLabel, language, CancellationToken.None)
                .ConfigureAwait(false);
            if (final)
            {
                entry.EndedLanguagesWritten.Add(language.Language);
            }
        }
    }

    /// <summary>True when another live request for the same narration also asks for <paramref name="language"/> (the queued row is its too).</summary>
    private bool AskedForByAnother(Entry entry, string narrationId, string language) =>
        entries.Values.Any(other => other != entry && !other.Ended && other.Job.Work.Translation is { } translation
            && translation.NarrationId == narrationId && translation.Languages.Any(l => l.Code == language));

    /// <summary>The failure code a request ended with (the worker's final record first, else the queue's), or null.</summary>
    private static string? EndCode(Entry entry) => entry.Final is { } final ? final.ErrorCode : entry.Job.Failure?.Code;

    private async Task TryMarkInterruptedAsync(CancellationToken cancellationToken)
    {
        try
        {
            int count = await history.MarkInterruptedAsync(cancellationToken).ConfigureAwait(false);
            recovered = true;
            if (count > 0)
            {
                logger.LogWarning("{Count} narration(s) were queued or running when the server last stopped; they are kept as interrupted", count);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Reads still show them as interrupted; the lists catch up once this succeeds.
            logger.LogError(ex, "Could not mark the narrations the last run left unfinished as interrupted; retrying");
        }
    }

    private void Succeeded()
    {
        lock (backoffGate)
        {
            if (failing)
            {
                logger.LogInformation("Writing to the history works again; {Count} narration(s) still to write", entries.Count);
            }
            failing = false;
            backoff = TimeSpan.Zero;
            nextAttempt = DateTimeOffset.MinValue;
        }
    }

    private void Failed(Exception exception, string narrationId)
    {
        lock (backoffGate)
        {
            var max = options.Value.MaxRetry;
            backoff = backoff == TimeSpan.Zero ? options.Value.CheckpointInterval : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, max.Ticks));
            nextAttempt = time.GetUtcNow() + backoff;
            if (!failing)
            {
                logger.LogError(exception, "Could not write narration {NarrationId} to the history{Reason}; it is kept in memory and retried",
                    narrationId, StorageFull.Is(exception) ? " (the disk is full)" : "");
            }
            else
            {
                logger.LogDebug("History write for {NarrationId} failed again; next attempt in {Seconds:0.#} s", narrationId, backoff.TotalSeconds);
            }
            failing = true;
        }
    }

    private static bool Matches(NarrationRecord record, HistoryQuery query) =>
        (query.Before is not { } before || (record.FinishedAt ?? record.CreatedAt) < before)
        && (string.IsNullOrEmpty(query.ClipId) || record.ClipId == query.ClipId)
        && (string.IsNullOrEmpty(query.Template) || record.Template == query.Template)
        && (query.State is not { } state || record.State == state);

    /// <summary>One narration being kept in step: what was last written, and its final record once the worker has it.</summary>
    private sealed class Entry(NarrationJob job)
    {
        public NarrationJob Job { get; } = job;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Set by the worker just before the final event, so the history has it first.</summary>
        public NarrationRecord? Final { get; set; }

        public int WrittenVersion { get; set; } = -1;

        /// <summary>Set when a write was asked for out of turn; cleared as the write starts.</summary>
        public bool Forced { get; set; }

        /// <summary>A translation request's languages whose end is already in the history (written under <see cref="Gate"/>).</summary>
        public HashSet<string> EndedLanguagesWritten { get; } = new(StringComparer.Ordinal);

        /// <summary>Set (under <see cref="Gate"/>) when its narration was deleted: nothing of it is written any more.</summary>
        public bool Forgotten { get; set; }

        public bool Ended => Final is not null || Job.IsFinished;

        public bool IsDue => Ended || Forced || Job.EventCount != WrittenVersion;

        public NarrationRecord Record() => Final ?? Job.ToRecord();
    }
}
