using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Narrator.Model;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Text;
using Narrator.Web.Narrations;
using Narrator.Model.Search;
using Narrator.Model.Subtitles;
using Narrator.Model.Templates;
using Narrator.Model.Translation;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Engine;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Search;
using Narrator.Web.Services.Subtitles;
using Narrator.Web.Services.Templates;

namespace Narrator.Web.Services;

/// <summary>
/// What the page, the hub and the HTTP API call to narrate: validates a <see cref="NarrationRequest"/> (clip, template or
/// prompt, options), resolves it into work for the queue, and answers "where is narration X" from the queue or history.
/// </summary>
public sealed class NarrationService(
    NarrationQueue queue,
    ClipStore clips,
    TemplateLibrary templates,
    NarrationHistory history,
    EngineHost engine,
    NarrationJournal journal,
    IOptions<QueueOptions> queueOptions,
    IOptions<SegmentationOptions> segmentationOptions,
    ClipSubtitles subtitles,
    NarrationExporter exporter,
    NarrationSearch search,
    DataFolder folder,
    NarrationLocks locks,
    ILogger<NarrationService> logger)
{
    /// <summary>Longest free prompt accepted, in characters.</summary>
    public const int MaxPromptLength = 8000;

    /// <summary>
    /// Validates and queues a narration for <paramref name="caller"/>'s visitor, and records it in the history (so a crash
    /// leaves it "interrupted", never unknown). The returned job's events start with its queue position. Throws
    /// <see cref="NarrationRejectedException"/> at once with a sentence and a FailureCodes value when the request is
    /// invalid, cannot fit the model's context, the queue is full, the visitor or their address is at its limit, or the
    /// server is stopping.
    /// </summary>
    public async Task<NarrationJob> StartAsync(NarrationRequest request, NarrationCaller caller, CancellationToken cancellationToken)
    {
        var work = await ResolveAsync(request, cancellationToken).ConfigureAwait(false);
        var job = queue.Enqueue(work, caller);
        clips.Touch(work.ClipId);
        await journal.AcceptedAsync(job).ConfigureAwait(false);
        return job;
    }

    /// <summary>
    /// Starts a narration and streams its events until the final one. A refused request yields one failed event saying why.
    /// If the caller stops reading before the end (cancelled, disconnected), the narration is cancelled so the model is freed.
    /// </summary>
    public IAsyncEnumerable<NarrationEvent> NarrateAsync(NarrationRequest request, NarrationCaller caller, CancellationToken cancellationToken) =>
        FollowAsync(ct => StartAsync(request, caller, ct), "The narration was cancelled because nobody was following it any more.", cancellationToken);

    /// <summary>
    /// Starts a request with <paramref name="start"/> and streams its events until the final one; a refusal is one failed
    /// event saying why. A caller that stops reading before the end cancels the request, so the model is freed.
    /// </summary>
    private async IAsyncEnumerable<NarrationEvent> FollowAsync(Func<CancellationToken, Task<NarrationJob>> start, string abandoned,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (job, refusal) = await TryStartAsync(start, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            yield return refusal!;
            yield break;
        }
        try
        {
            await foreach (var narrationEvent in job.ReadEventsAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return narrationEvent;
            }
        }
        finally
        {
            if (!job.IsFinished)
            {
                queue.Cancel(job.Id, FailureCodes.Disconnected, abandoned);
            }
        }
    }

    /// <summary>Like <see cref="StartAsync"/>, but a refused request comes back as the failed event saying why instead of an exception.</summary>
    public Task<(NarrationJob? Job, FailedEvent? Refusal)> StartOrRefuseAsync(
        NarrationRequest request, NarrationCaller caller, CancellationToken cancellationToken) =>
        TryStartAsync(ct => StartAsync(request, caller, ct), cancellationToken);

    private static async Task<(NarrationJob? Job, FailedEvent? Refusal)> TryStartAsync(Func<CancellationToken, Task<NarrationJob>> start,
        CancellationToken cancellationToken)
    {
        try
        {
            return (await start(cancellationToken).ConfigureAwait(false), null);
        }
        catch (NarrationRejectedException ex)
        {
            return (null, new FailedEvent(ex.Message) { NarrationId = "", Code = ex.Code });
        }
    }

    /// <summary>
    /// Cancels one of <paramref name="owner"/>'s narrations (queued: removed; running: stops at the next token). Says
    /// whether it was cancelled, belongs to someone else, had already ended, or is unknown.
    /// </summary>
    public async Task<CancelOutcome> CancelAsync(string narrationId, NarrationOwner owner, CancellationToken cancellationToken)
    {
        if (queue.Find(narrationId) is { } job)
        {
            if (job.Owner != owner)
            {
                return CancelOutcome.NotYours;
            }
            // Under the narration's lock: a delete that slipped in between the cancel and its write would be written back by it.
            using (await locks.HoldAsync(job.Work.Translation?.NarrationId ?? job.Id, cancellationToken).ConfigureAwait(false))
            {
                if (!queue.Cancel(narrationId, FailureCodes.Cancelled, "The narration was cancelled."))
                {
                    return CancelOutcome.AlreadyFinished;
                }
                if (job.IsFinished)
                {
                    await locks.CheckedAsync(NarrationChange.Cancel, job.Work.Translation?.NarrationId ?? job.Id).ConfigureAwait(false);
                    // Removed from the queue before it started: the history says so at once (a translation's queued languages go).
                    await journal.WriteNowAsync(job).ConfigureAwait(false);
                }
            }
            return CancelOutcome.Cancelled;
        }
        var storedOwner = journal.OwnerOf(narrationId) ?? await history.OwnerOfAsync(narrationId, cancellationToken).ConfigureAwait(false);
        return storedOwner is not { } known ? CancelOutcome.Unknown
            : known != owner ? CancelOutcome.NotYours
            : CancelOutcome.AlreadyFinished;
    }

    /// <summary>
    /// Deletes one of <paramref name="owner"/>'s ended narrations from every place it is held (a null owner is the operator,
    /// who may delete anyone's): the queue's kept job and the translation requests of it first (refused while any of them
    /// is queued or running); then, in one transaction, its share link (the copied frames go before the rows commit),
    /// search rows, translations and record; then what the journal still holds unwritten, so it is never written back
    /// (and the rows once more, in case the journal wrote them in between). All of it under the narration's lock, which
    /// publishing a share and queueing a translation take too: one that got in first is deleted (a share) or refuses the
    /// delete (a queued translation), one that comes later finds the narration unknown. Afterwards every read answers as
    /// for an unknown id, and the owner's open pages are told (<see cref="Deleted"/>). A translation request's id is not a
    /// narration: unknown. <see cref="StorageFullException"/> when the disk is too full to delete rows; the narration is
    /// then still there and can be deleted later.
    /// </summary>
    public async Task<DeleteOutcome> DeleteAsync(string narrationId, NarrationOwner? owner, CancellationToken cancellationToken)
    {
        NarrationOwner narrationOwner;
        using (await locks.HoldAsync(narrationId, cancellationToken).ConfigureAwait(false))
        {
            if (await OwnerOfAsync(narrationId, cancellationToken).ConfigureAwait(false) is not { } known || IsTranslationRequest(narrationId))
            {
                return DeleteOutcome.Unknown;
            }
            narrationOwner = known;
            if (owner is { } visitor && visitor != narrationOwner)
            {
                return DeleteOutcome.NotYours;
            }
            if (!queue.Forget(narrationId))
            {
                return DeleteOutcome.StillRunning;
            }
            await locks.CheckedAsync(NarrationChange.Delete, narrationId).ConfigureAwait(false);
            try
            {
                bool stored = await history.DeleteAsync(narrationId, DeleteShareFolder, cancellationToken).ConfigureAwait(false);
                int unwritten = await journal.ForgetAsync(narrationId).ConfigureAwait(false);
                if (unwritten > 0)
                {
                    stored |= await history.DeleteAsync(narrationId, DeleteShareFolder, cancellationToken).ConfigureAwait(false);
                }
                logger.LogInformation("Narration {NarrationId} deleted by {DeletedBy} (stored: {Stored}, held unwritten: {Unwritten})",
                    narrationId, owner is null ? "the operator" : "its owner", stored, unwritten);
            }
            catch (Exception ex) when (StorageFull.Is(ex))
            {
                throw new StorageFullException("The server's disk is full, so the narration could not be deleted yet; please try again later.", ex);
            }
        }
        Deleted?.Invoke(narrationOwner, narrationId);
        return DeleteOutcome.Deleted;
    }

    /// <summary>
    /// Raised (on the deleting thread) once a narration is deleted, with its owner and id, so each of the owner's open
    /// pages drops it from its history, its Describe tab and its Compare picks.
    /// </summary>
    public event Action<NarrationOwner, string>? Deleted;

    /// <summary>A deleted narration's share files; a failure throws, so the rows stay and the delete can be asked for again.</summary>
    private void DeleteShareFolder(string token)
    {
        string path = folder.ShareFolder(token);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>Cancels what one page or hub connection started and is still queued or running (it closed); the visitor's other tabs go on.</summary>
    public int CancelStartedBy(string connection) => queue.CancelStartedBy(connection);

    /// <summary>A page of <paramref name="owner"/> follows one of their live narrations (see <see cref="NarrationQueue.Follow"/>).</summary>
    public bool Follow(string narrationId, NarrationOwner owner, string connection) => queue.Follow(narrationId, owner, connection);

    /// <summary>A page went away: what only it followed is cancelled after <paramref name="grace"/> unless re-attached.</summary>
    public int Unfollow(string connection, TimeSpan grace) => queue.Unfollow(connection, grace);

    /// <summary>A live or recently finished narration (with its event stream), or null.</summary>
    public NarrationJob? Find(string narrationId) => queue.Find(narrationId);

    /// <summary>
    /// Anyone's narration by id (the id is the capability to read it): live from the queue, else held back from a full
    /// disk, else from the history (where one a previous run left unfinished reads as interrupted); null if unknown.
    /// </summary>
    public async Task<NarrationRecord?> GetAsync(string narrationId, CancellationToken cancellationToken) =>
        queue.Find(narrationId) is { IsFinished: false } live
            ? live.ToRecord()
            // A finished narration's stored record also carries its translations; a translation request is only ever in the queue.
            : journal.Find(narrationId)
              ?? await history.GetAsync(narrationId, cancellationToken).ConfigureAwait(false)
              ?? queue.Find(narrationId)?.ToRecord();

    /// <summary><paramref name="owner"/>'s narration (live or stored, with its translations); null when unknown or someone else's.</summary>
    public async Task<NarrationRecord?> GetOwnedAsync(string narrationId, NarrationOwner owner, CancellationToken cancellationToken) =>
        await OwnerOfAsync(narrationId, cancellationToken).ConfigureAwait(false) == owner
            ? await GetAsync(narrationId, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>
    /// A narration as <paramref name="reader"/> may read it by its id: anyone's narration (the id is the capability a
    /// visitor shares), but its translations only for its owner, and a translation request (its id, its text) only for
    /// the visitor who asked for it; null when unknown or not the reader's to see.
    /// </summary>
    public async Task<NarrationRecord?> ReadAsync(string narrationId, NarrationOwner reader, CancellationToken cancellationToken)
    {
        var record = await GetAsync(narrationId, cancellationToken).ConfigureAwait(false);
        if (record is null || await OwnerOfAsync(narrationId, cancellationToken).ConfigureAwait(false) == reader)
        {
            return record;
        }
        return IsTranslationRequest(narrationId) ? null : record with { Translations = null };
    }

    /// <summary>True when <paramref name="requestId"/> is a translation request (live, or still held by the journal).</summary>
    public bool IsTranslationRequest(string requestId) =>
        queue.Find(requestId) is { Work.Translation: not null } || journal.IsTranslationRequest(requestId);

    /// <summary>The visitor a narration (or a translation request) belongs to, wherever it is held; null when unknown.</summary>
    public async Task<NarrationOwner?> OwnerOfAsync(string narrationId, CancellationToken cancellationToken) =>
        queue.Find(narrationId)?.Owner
        ?? journal.OwnerOf(narrationId)
        ?? await history.OwnerOfAsync(narrationId, cancellationToken).ConfigureAwait(false);

    /// <summary>Ended narrations, newest first (the query's owner's only, when it names one), including any still waiting for room on the disk.</summary>
    public async Task<IReadOnlyList<NarrationRecord>> ListAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        var stored = await history.ListAsync(query, cancellationToken).ConfigureAwait(false);
        var unwritten = journal.Unwritten(query);
        if (unwritten.Count == 0)
        {
            return stored;
        }
        var held = unwritten.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        return [.. stored.Where(r => !held.Contains(r.Id)).Concat(unwritten)
            .OrderByDescending(r => r.FinishedAt ?? r.CreatedAt).Take(Math.Clamp(query.Limit, 1, HistoryQuery.MaxLimit))];
    }

    public QueueSnapshot QueueSnapshot() => queue.Snapshot();

    /// <summary>
    /// Queues a translation of one of <paramref name="caller"/>'s ended narrations into <paramref name="languages"/> (one
    /// request, the languages one after another) and records its languages as queued, so a restart finds each "interrupted"
    /// (never started, or cut short). Refused with a sentence and a code when the narration is unknown, another visitor's
    /// or being deleted (not_found, the same answer), still running, a translation itself, or has no text (an interrupted
    /// one is translated from the text it had reached), a language is unknown, or the queue says no.
    /// </summary>
    public async Task<NarrationJob> TranslateAsync(string narrationId, IEnumerable<string>? languages, NarrationCaller caller,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        IReadOnlyList<TranslationLanguage> chosen;
        try
        {
            chosen = TranslationLanguages.ParseList(languages);
        }
        catch (UserInputException ex)
        {
            throw Invalid(ex.Message);
        }
        // Checked and queued under the narration's lock, so a delete either sees this request queued or has removed the narration first.
        using (await locks.HoldAsync(narrationId, cancellationToken).ConfigureAwait(false))
        {
            // Another visitor's narration answers as an unknown one: translations are the owner's, and so is knowing they could be made.
            if (await OwnerOfAsync(narrationId, cancellationToken).ConfigureAwait(false) != caller.Owner)
            {
                throw NotYoursToTranslate(narrationId);
            }
            if (queue.Find(narrationId) is { Work.Translation: { } translation })
            {
                throw Invalid($"\"{narrationId}\" is a translation request; translate narration \"{translation.NarrationId}\" itself.");
            }
            var record = await GetAsync(narrationId, cancellationToken).ConfigureAwait(false) ?? throw NotYoursToTranslate(narrationId);
            if (record.State.IsLive())
            {
                throw Invalid($"Narration \"{narrationId}\" is still {record.State.ToName()}; translate it once it has finished.");
            }
            var work = await TranslationWorkAsync(record, chosen, cancellationToken).ConfigureAwait(false);
            await locks.CheckedAsync(NarrationChange.Translate, narrationId).ConfigureAwait(false);
            var job = queue.Enqueue(work, caller);
            await journal.AcceptedAsync(job).ConfigureAwait(false);
            return job;
        }
    }

    /// <summary>Queues a translation and streams its events like <see cref="NarrateAsync"/> (cancelled if the caller stops reading).</summary>
    public IAsyncEnumerable<NarrationEvent> TranslateAndFollowAsync(string narrationId, IEnumerable<string> languages, NarrationCaller caller,
        CancellationToken cancellationToken) =>
        FollowAsync(ct => TranslateAsync(narrationId, languages, caller, ct), "The translation was cancelled because nobody was following it any more.",
            cancellationToken);

    /// <summary>The work that translates a finished narration: its text as the template shaped it, and the token room it needs.</summary>
    internal async Task<NarrationWork> TranslationWorkAsync(NarrationRecord record, IReadOnlyList<TranslationLanguage> languages,
        CancellationToken cancellationToken)
    {
        var narration = await exporter.ToTimedNarrationAsync(record, cancellationToken).ConfigureAwait(false);
        if (!narration.Segments.Any(segment => segment.Error is null && segment.DisplayText.Trim().Length > 0))
        {
            throw Invalid(record.State == NarrationState.Interrupted
                ? $"Narration \"{record.Id}\" was interrupted before it wrote any text, so there is nothing to translate; narrate the clip again."
                : $"Narration \"{record.Id}\" has no text to translate ({record.Error ?? "it is empty"}).");
        }
        var template = string.IsNullOrEmpty(record.Template) ? null : await templates.FindAsync(record.Template, cancellationToken).ConfigureAwait(false);
        return NarrationWork.ForTranslation(record.Id, record.ClipId, record.ClipLabel, record.Options.Frames, template, narration, languages,
            queueOptions.Value.MaxNewTokensLimit);
    }

    /// <summary>Searches <paramref name="owner"/>'s narrations, segments and translations; a query that cannot be searched is refused with a sentence.</summary>
    public Task<NarrationSearchResult> SearchAsync(string? query, NarrationOwner owner, int limit, CancellationToken cancellationToken)
    {
        SearchQuery parsed;
        try
        {
            parsed = SearchQuery.Parse(query);
        }
        catch (UserInputException ex)
        {
            throw Invalid(ex.Message);
        }
        return search.SearchAsync(owner, parsed, limit, cancellationToken);
    }


    /// <summary>
    /// Turns a request into queue work, or throws <see cref="NarrationRejectedException"/> naming what is wrong.
    /// Prompt: the request's own, else the template's, else the default template's. Options: Narrator defaults &lt;
    /// template defaults &lt; Frames/Generation &lt; Options (field by field), validated.
    /// </summary>
    internal async Task<NarrationWork> ResolveAsync(NarrationRequest? request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw Invalid("The request is empty; send a clip id and a template id or a prompt.");
        }
        if (string.IsNullOrWhiteSpace(request.ClipId))
        {
            throw Invalid("The request has no clip id; upload a clip first and send its id.");
        }
        var clip = clips.Find(request.ClipId)
            ?? throw Invalid($"No clip with id \"{request.ClipId}\" exists (clips are deleted after they expire); please upload it again.");
        PromptTemplate? template = null;
        if (!string.IsNullOrWhiteSpace(request.Template))
        {
            template = await templates.FindAsync(request.Template, cancellationToken).ConfigureAwait(false)
                ?? throw Invalid($"There is no template \"{request.Template}\"; GET /api/templates lists the ones there are.");
        }
        string? prompt = request.Prompt?.Trim();
        if (string.IsNullOrEmpty(prompt))
        {
            template ??= templates.Default;
            prompt = template.Render();
        }
        if (ControlTokens.Find(prompt) is { } token)
        {
            throw new NarrationRejectedException(FailureCodes.InvalidPrompt,
                $"The prompt contains the chat control token \"{token}\", which only the server may write; remove it and try again.");
        }
        if (prompt.Length > MaxPromptLength)
        {
            throw Invalid($"The prompt is {prompt.Length} characters long; the limit is {MaxPromptLength}.");
        }
        var overrides = request.Overrides();
        NarrationOptions options;
        FramePlan plan;
        try
        {
            options = NarrationOptionsResolver.Resolve(template?.Defaults, overrides);
            plan = FramePlanner.Plan(clip.Probe, options.Frames);
        }
        catch (UserInputException ex)
        {
            throw Invalid(ex.Message);
        }
        int limit = queueOptions.Value.MaxNewTokensLimit;
        if (options.Generation.MaxNewTokens > limit)
        {
            throw Invalid($"maxNewTokens is {options.Generation.MaxNewTokens}; this server allows at most {limit}.");
        }
        var (track, translateAfter) = await ResolveSubtitlesAndTranslationsAsync(request, clip, cancellationToken).ConfigureAwait(false);
        var mode = ParseSplit(request.Split);
        SegmentationOptions? segmentation = null;
        int segments = 1;
        bool isLong = segmentationOptions.Value.IsLong(clip.Probe);
        if (!isLong)
        {
            // A long video's segments are planned one by one when it runs (the runtime refuses a segment that cannot fit).
            EnsureFitsContext(prompt, plan, options.Generation.MaxNewTokens);
        }
        if (isLong)
        {
            segmentation = segmentationOptions.Value with { Mode = mode ?? segmentationOptions.Value.Mode };
            // Scene cuts are not known yet; the typical segment length gives the ETA a fair count.
            segments = (int)Math.Ceiling(clip.Probe.DurationSeconds / segmentation.FixedSegmentSeconds);
        }
        return new NarrationWork
        {
            ClipId = clip.Id,
            ClipLabel = clip.Label,
            ClipPath = clip.SourcePath,
            Template = template,
            Probe = clip.Probe,
            Prompt = prompt,
            Options = options,
            EstimatedVisualTokens = plan.VisualTokens,
            Plan = isLong ? null : plan,
            Segmentation = segmentation,
            EstimatedSegments = segments,
            Subtitles = track,
            TranslateAfter = translateAfter,
        };
    }

    /// <summary>The dialogue the request picks (or gives inline) and the languages to translate into afterwards, each checked.</summary>
    private async Task<(SubtitleTrack? Track, IReadOnlyList<TranslationLanguage> Languages)> ResolveSubtitlesAndTranslationsAsync(
        NarrationRequest request, StoredClip clip, CancellationToken cancellationToken)
    {
        try
        {
            IReadOnlyList<TranslationLanguage> languages = request.Translate is { Count: > 0 } codes ? TranslationLanguages.ParseList(codes) : [];
            if (ClipSubtitles.IsInline(request.Subtitles))
            {
                return (clip.Probe.Kind == MediaKind.Video ? ClipSubtitles.ReadInline(request.Subtitles!) : null, languages);
            }
            var selection = SubtitleSelection.Parse(request.Subtitles);
            return (await subtitles.ResolveAsync(clip, selection, cancellationToken).ConfigureAwait(false), languages);
        }
        catch (UserInputException ex)
        {
            throw Invalid(ex.Message);
        }
    }

    /// <summary>Refuses, before it queues, a request whose prompt and frames plus new tokens the loaded model cannot hold.</summary>
    private void EnsureFitsContext(string prompt, FramePlan plan, int maxNewTokens)
    {
        // Unknown while the engine loads, and never known for a remote engine: the model refuses such a request when it runs.
        if (engine.ContextGate is not { } gate)
        {
            return;
        }
        try
        {
            gate.EnsureFits(prompt, plan, maxNewTokens);
        }
        catch (ContextOverflowException ex)
        {
            throw new NarrationRejectedException(FailureCodes.ContextExceeded, ex.Message, new Dictionary<string, object?>
            {
                ["promptTokens"] = ex.PromptTokens,
                ["maxNewTokens"] = ex.MaxNewTokens,
                ["contextTokens"] = ex.ContextTokens,
            });
        }
        catch (UserInputException ex)
        {
            throw Invalid(ex.Message);
        }
    }

    private static SegmentationMode? ParseSplit(string? split) =>
        string.IsNullOrWhiteSpace(split) ? null
        : SegmentationNames.TryParseMode(split, out var mode) ? mode
        : throw Invalid($"split is \"{split}\"; use \"scenes\" (cut on scene changes) or \"fixed\" (equal-length segments).");

    private static NarrationRejectedException Invalid(string message) => new(FailureCodes.InvalidRequest, message);

    private static NarrationRejectedException NotYoursToTranslate(string narrationId) => new(FailureCodes.NotFound,
        $"No narration \"{narrationId}\" of yours is stored; only your own narrations can be translated.");
}

/// <summary>What asking to cancel a narration came to.</summary>
public enum CancelOutcome
{
    Cancelled,
    AlreadyFinished,
    NotYours,
    Unknown,
}

/// <summary>What asking to delete a narration came to.</summary>
public enum DeleteOutcome
{
    Deleted,
    StillRunning,
    NotYours,
    Unknown,
}
