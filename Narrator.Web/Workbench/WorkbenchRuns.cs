using Narrator.Model.Templates;
using Narrator.Web.Localization;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Workbench;

/// <summary>
/// The narrations on the page: the one on the Describe tab and the two sides of a comparison. Starts them as the
/// visitor (followed by the page, not tied to it), folds their events into <see cref="NarrationRun"/>s, stops them,
/// re-attaches to a running one after a reload and shows a stored one. Tokens re-render only the output
/// (<paramref name="outputChanged"/>, at most every <paramref name="tokenInterval"/>); every other event re-renders the
/// page (<paramref name="changed"/>); <paramref name="shownRunSaved"/> is called when the Describe run gets its id or ends.
/// </summary>
public sealed class WorkbenchRuns(NarrationSession session, WorkbenchSettings settings, TimeProvider time, ILogger logger, TimeSpan tokenInterval,
    Func<Task> changed, Func<NarrationRun, Task> outputChanged, Action shownRunSaved, CancellationToken lifetime) : IDisposable
{
    private CancellationTokenSource? _followCancellation;
    private bool _stopRequested;
    private string? _pendingAttach;

    /// <summary>The narration on the Describe tab.</summary>
    public NarrationRun? Run { get; private set; }

    /// <summary><see cref="Run"/>'s answer read the way its template says (tags, JSON), once it has completed.</summary>
    public ProcessedOutput? Processed { get; private set; }

    public NarrationRun? CompareLeft { get; private set; }

    public NarrationRun? CompareRight { get; private set; }

    public bool IsNarrating => Run?.IsActive == true || CompareLeft?.IsActive == true || CompareRight?.IsActive == true;

    /// <summary>Describe: <paramref name="request"/> becomes the run on show (call <see cref="NarrateAsync"/> to send it).</summary>
    public NarrationRun Begin(NarrationRequest request, string clipLabel)
    {
        Processed = null;
        Run = NewRun(request, clipLabel);
        return Run;
    }

    /// <summary>Sends <paramref name="run"/> and reads its events until it ends; a completed Describe run is then read as its template says.</summary>
    public async Task NarrateAsync(NarrationRun run, long clickedAt, UiText text)
    {
        ArgumentNullException.ThrowIfNull(run);
        _stopRequested = false;
        await changed();
        (NarrationJob? job, FailedEvent? refusal) = await session.StartAsync(run.Request, lifetime);
        if (job is null)
        {
            run.Apply(refusal!);
            await changed();
        }
        else
        {
            // The id is saved at once: a reload or a restart while it runs must find it, not the narration before it.
            run.MarkAccepted(job.Id);
            SavedIfShown(run);
            if (_stopRequested)
            {
                await session.CancelAsync(job.Id, lifetime);
            }
            await ReadEventsAsync(run, job, clickedAt, text);
            SavedIfShown(run);
        }
        if (ReferenceEquals(run, Run))
        {
            Processed = Process(run);
        }
    }

    /// <summary>
    /// Compare: the two sides one after the other (the queue limits each visitor, and the second waits for the model
    /// anyway); when the left one is stopped, the right one is not sent.
    /// </summary>
    public async Task CompareAsync(NarrationRequest left, NarrationRequest right, string clipLabel, UiText text)
    {
        CompareLeft = NewRun(left, clipLabel);
        CompareRight = NewRun(right, clipLabel);
        await NarrateAsync(CompareLeft, time.GetTimestamp(), text);
        if (CompareLeft.Status == NarrationStatus.Stopped)
        {
            CompareRight.MarkStopped();
        }
        else
        {
            await NarrateAsync(CompareRight, time.GetTimestamp(), text);
        }
    }

    /// <summary>Stops every narration of the page still waiting or writing; a Compare side not sent yet will not be.</summary>
    public async Task StopAsync()
    {
        _stopRequested = true;
        foreach (NarrationRun? run in new[] { Run, CompareLeft, CompareRight })
        {
            if (run is { IsActive: true, NarrationId: { Length: > 0 } id })
            {
                await session.CancelAsync(id, lifetime);
            }
        }
        if (CompareRight is { Status: NarrationStatus.Submitting, NarrationId: null })
        {
            CompareRight.MarkStopped();
        }
    }

    /// <summary>A stored narration on the Describe tab.</summary>
    public void Show(NarrationRecord record)
    {
        Run = NarrationRun.FromRecord(record);
        Processed = Process(Run);
    }

    /// <summary>Nothing narrated on show any more (it stays in the history).</summary>
    public void Clear()
    {
        Run = null;
        Processed = null;
        CompareLeft = CompareRight = null;
    }

    /// <summary>A deleted narration leaves the page: off the Describe tab and out of the Compare picks, whichever show it.</summary>
    public void Forget(string narrationId)
    {
        if (Run?.NarrationId == narrationId)
        {
            Run = null;
            Processed = null;
        }
        if (CompareLeft?.NarrationId == narrationId)
        {
            CompareLeft = null;
        }
        if (CompareRight?.NarrationId == narrationId)
        {
            CompareRight = null;
        }
    }

    /// <summary>
    /// The narration a visitor left on screen: a running one shows its text so far (prerendering must not wait) and is
    /// followed once the page is live (<see cref="FollowPendingAsync"/>); an ended one comes from the history.
    /// </summary>
    public async Task RestoreAsync(string narrationId)
    {
        if (session.Attach(narrationId) is { IsFinished: false } job)
        {
            Run = Reattached(job);
            foreach (var narrationEvent in SnapshotOf(job))
            {
                Run.Apply(narrationEvent);
            }
            _pendingAttach = narrationId;
            return;
        }
        if (await session.NarrationAsync(narrationId, lifetime) is { } record)
        {
            Show(record);
        }
    }

    /// <summary>The live page follows the narration <see cref="RestoreAsync"/> found running; false when there is none.</summary>
    public async Task<bool> FollowPendingAsync(UiText text)
    {
        if (_pendingAttach is not { } narrationId)
        {
            return false;
        }
        _pendingAttach = null;
        return await FollowAsync(narrationId, text);
    }

    /// <summary>Re-attaches to a live narration, replays its whole event log into a fresh run on show, then follows it to its end.</summary>
    public async Task<bool> FollowAsync(string narrationId, UiText text)
    {
        if (session.Attach(narrationId) is not { } job)
        {
            return false;
        }
        var run = Reattached(job);
        Run = run;
        Processed = null;
        await changed();
        await ReadEventsAsync(run, job, clickedAt: null, text);
        if (ReferenceEquals(run, Run))
        {
            Processed = Process(run);
        }
        return true;
    }

    private NarrationRun NewRun(NarrationRequest request, string clipLabel) => new(request, clipLabel, time.GetUtcNow());

    private void SavedIfShown(NarrationRun run)
    {
        if (ReferenceEquals(run, Run))
        {
            shownRunSaved();
        }
    }

    /// <summary>
    /// Tags and JSON answers read the way their template says; only a finished answer is read. A long video's segments
    /// are read one by one on the server and shown in the segment list, so its joined text is not read again.
    /// </summary>
    private ProcessedOutput? Process(NarrationRun run) =>
        run.Status == NarrationStatus.Completed && run.Segments.Count == 0 && settings.Find(run.Request.Template) is { } template
            ? ProcessedOutput.For(template, run.Text)
            : null;

    /// <summary>Folds the job's events (its whole log from the first) into <paramref name="run"/>, rendering as they come.</summary>
    private async Task ReadEventsAsync(NarrationRun run, NarrationJob job, long? clickedAt, UiText text)
    {
        _followCancellation?.Dispose();
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        _followCancellation = cancellation;
        var pacer = new RenderPacer(() => outputChanged(run), tokenInterval, time);
        try
        {
            await foreach (NarrationEvent narrationEvent in job.ReadEventsAsync(cancellation.Token))
            {
                run.Apply(narrationEvent);
                if (narrationEvent is TokenEvent && run.Status == NarrationStatus.Running)
                {
                    if (clickedAt is long clicked)
                    {
                        run.MarkFirstText(time.GetElapsedTime(clicked));
                    }
                    await pacer.RequestAsync();
                }
                else
                {
                    await changed();
                }
            }
            run.MarkFailed(text.StreamEnded);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The page went away; the narration goes on for a reload to pick up.
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Narration {NarrationId} broke off", run.NarrationId);
            run.MarkFailed(text.UnexpectedError);
        }
        if (pacer.Trailing is { } trailing)
        {
            await trailing;
        }
        await changed();
    }

    private static NarrationRun Reattached(NarrationJob job)
    {
        var record = job.ToRecord();
        return new NarrationRun(NarrationRun.RequestOf(record), record.ClipLabel, record.CreatedAt) { Reattached = true };
    }

    // What the log holds so far, without waiting for more (prerendering must not block).
    private static IEnumerable<NarrationEvent> SnapshotOf(NarrationJob job)
    {
        var record = job.ToRecord();
        foreach (var segment in record.Segments ?? [])
        {
            yield return new SegmentEvent(segment, record.Segments!.Count) { NarrationId = job.Id };
        }
        yield return new StartedEvent { NarrationId = job.Id };
        if (record.Text.Length > 0)
        {
            yield return new TokenEvent(record.Text) { NarrationId = job.Id };
        }
    }

    /// <summary>Lets go of the narration being followed (it goes on; a reload picks it up).</summary>
    public void Dispose() => _followCancellation?.Dispose();
}
