using System.Diagnostics;
using System.Text;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Web.Narrations;

namespace Narrator.Web.Services.Queue;

/// <summary>
/// One narration from the moment it was accepted until it completed or failed: its owner, its resolved work,
/// its state and the ordered events every follower reads. Created only by <see cref="NarrationQueue"/>.
/// </summary>
public sealed class NarrationJob
{
    private readonly NarrationEventLog log = new();
    private readonly StringBuilder text = new();
    private readonly List<NarrationSegment> segments = [];
    private int tokenPieces;
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<PreparedMedia>? preparation;

    internal NarrationJob(string id, NarrationCaller caller, NarrationWork work, DateTimeOffset createdAt)
    {
        Id = id;
        Owner = caller.Owner;
        Address = caller.Address;
        Connection = caller.Connection;
        Work = work;
        CreatedAt = createdAt;
        Translations = work.Translation is { } translation ? new TranslationLog(translation.Languages.Select(l => l.Code), createdAt) : new TranslationLog();
        EnqueuedTimestamp = Stopwatch.GetTimestamp();
    }

    public string Id { get; }

    /// <summary>The visitor it belongs to: only they may cancel it or see it listed.</summary>
    public NarrationOwner Owner { get; }

    /// <summary>The client address it came from (the per-address limit).</summary>
    public NarrationOwner Address { get; }

    /// <summary>The page or hub connection that started it (cancelled when that closes); null from the HTTP API.</summary>
    public string? Connection { get; }

    public NarrationWork Work { get; }

    /// <summary>For a translation request, its languages as they stand (what the history journal writes); empty otherwise.</summary>
    public TranslationLog Translations { get; }

    public DateTimeOffset CreatedAt { get; }

    public NarrationState State { get; internal set; } = NarrationState.Queued;

    /// <summary>1 is next; 0 once it has left the queue.</summary>
    public int Position { get; internal set; }

    /// <summary>Last ETA told to the owner, in seconds.</summary>
    public double EtaSeconds { get; internal set; }

    public DateTimeOffset? StartedAt { get; internal set; }

    public DateTimeOffset? FinishedAt { get; internal set; }

    /// <summary>Wall time between being accepted and reaching the model (null while still queued).</summary>
    public TimeSpan? TimeInQueue { get; internal set; }

    public GenerationStats? Stats { get; internal set; }

    /// <summary>The failure (including cancellation) when <see cref="State"/> is Failed.</summary>
    public FailedEvent? Failure { get; internal set; }

    /// <summary>The narration so far; the whole narration once completed.</summary>
    public string Text
    {
        get { lock (text) { return text.ToString(); } }
    }

    /// <summary>Token pieces the engine has produced so far (not counting a long video's time headings).</summary>
    public int TokenPieces => Volatile.Read(ref tokenPieces);

    /// <summary>How a long video was split ("scenes" or "fixed"); null while unknown or for a clip narrated whole.</summary>
    public string? SegmentationMethod { get; internal set; }

    /// <summary>A long video's finished segments in order; null for a clip narrated whole.</summary>
    public IReadOnlyList<NarrationSegment>? Segments
    {
        get { lock (segments) { return SegmentationMethod is null ? null : segments.ToArray(); } }
    }

    public bool IsFinished => State is NarrationState.Completed or NarrationState.Failed;

    /// <summary>Completes when the narration has completed or failed.</summary>
    public Task Finished => finished.Task;

    /// <summary>Number of events so far; an SSE reader resumes from an index below this.</summary>
    public int EventCount => log.Count;

    /// <summary>Every event from the first (queued) to the final one; ends after completed/failed.</summary>
    public async IAsyncEnumerable<NarrationEvent> ReadEventsAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var (_, narrationEvent) in log.ReadAsync(0, cancellationToken).ConfigureAwait(false))
        {
            yield return narrationEvent;
        }
    }

    /// <summary>Events with their index, starting at <paramref name="fromIndex"/> (for SSE ids and Last-Event-ID resumption).</summary>
    public IAsyncEnumerable<(int Index, NarrationEvent Event)> ReadEventsAsync(int fromIndex, CancellationToken cancellationToken = default) =>
        log.ReadAsync(fromIndex, cancellationToken);

    /// <summary>A snapshot for the API and the page.</summary>
    public NarrationRecord ToRecord() => ToRecord(null, null);

    /// <summary>
    /// A snapshot; with <paramref name="final"/>, the record as it will read once that final event is out (the history
    /// stores it first, so a client that reads history right after "completed" finds it).
    /// </summary>
    internal NarrationRecord ToRecord(NarrationEvent? final, DateTimeOffset? finishedAt)
    {
        var state = final is null ? State : NarrationStates.After(final);
        var failure = final as FailedEvent ?? Failure;
        return new()
        {
            Id = Id,
            State = state,
            ClipId = Work.ClipId,
            ClipLabel = Work.ClipLabel,
            Template = Work.TemplateId,
            Prompt = Work.Prompt,
            Options = Work.Options,
            Text = final is CompletedEvent completed ? completed.Text : Text,
            Stats = (final as CompletedEvent)?.Stats ?? Stats,
            DurationSeconds = Work.Probe?.DurationSeconds,
            Segmentation = SegmentationMethod,
            Segments = Segments,
            Subtitles = Work.Subtitles?.Source,
            Error = failure?.Error,
            ErrorCode = failure?.Code,
            CreatedAt = CreatedAt,
            StartedAt = StartedAt,
            FinishedAt = final is null ? FinishedAt : finishedAt ?? FinishedAt,
            Position = state == NarrationState.Queued ? Position : null,
            EtaSeconds = state == NarrationState.Queued ? EtaSeconds : null,
            QueueSeconds = TimeInQueue?.TotalSeconds,
        };
    }

    internal CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Pages following it (circuit handles); guarded by the queue's lock. Empty for the HTTP API and the hub.</summary>
    internal HashSet<string> Followers { get; } = new(StringComparer.Ordinal);

    /// <summary>Bumped whenever its last page leaves or a page attaches; a pending grace-period cancel checks it is still current.</summary>
    internal int OrphanGeneration { get; set; }

    /// <summary>Set once the history holds how it ended, so nothing writes an older state of it again.</summary>
    internal bool EndStored
    {
        get => Volatile.Read(ref endStored);
        set => Volatile.Write(ref endStored, value);
    }

    private bool endStored;

    /// <summary>Why the job was cancelled (a FailureCodes value) and the sentence for the person; set before Cancellation fires.</summary>
    internal (string Code, string Message)? CancelReason { get; set; }

    internal long EnqueuedTimestamp { get; }

    internal Task<PreparedMedia>? Preparation => Volatile.Read(ref preparation);

    /// <summary>Starts preparing the frames once; later calls return the same task.</summary>
    internal Task<PreparedMedia> EnsurePreparation(IClipPreparer preparer)
    {
        var existing = Volatile.Read(ref preparation);
        if (existing is not null)
        {
            return existing;
        }
        var started = Task.Run(() => preparer.PrepareAsync(Work, Cancellation.Token));
        var winner = Interlocked.CompareExchange(ref preparation, started, null) ?? started;
        if (winner != started)
        {
            ObserveQuietly(started);
        }
        return winner;
    }

    /// <summary>Drops the prepared tensors so a finished job does not hold hundreds of MB.</summary>
    internal void ReleasePreparation()
    {
        var old = Interlocked.Exchange(ref preparation, null);
        if (old is not null)
        {
            ObserveQuietly(old);
        }
    }

    /// <summary>Adds a piece of the engine's output to the text.</summary>
    internal void AppendToken(string piece)
    {
        AppendText(piece);
        Interlocked.Increment(ref tokenPieces);
    }

    /// <summary>Adds text that is not model output (a long video's time heading between segments).</summary>
    internal void AppendText(string piece)
    {
        lock (text)
        {
            text.Append(piece);
        }
    }

    internal void RecordSegment(NarrationSegment segment)
    {
        lock (segments)
        {
            segments.Add(segment);
        }
    }

    internal bool Publish(NarrationEvent narrationEvent) => log.Append(narrationEvent);

    internal void MarkFinished() => finished.TrySetResult();

    private static void ObserveQuietly(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
