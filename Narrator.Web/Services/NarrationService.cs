using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Narrator.Model;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Web.Narrations;
using Narrator.Model.Search;
using Narrator.Model.Subtitles;
using Narrator.Model.Templates;
using Narrator.Model.Translation;
using Narrator.Web.Services.Clips;
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
    IOptions<QueueOptions> queueOptions,
    IOptions<SegmentationOptions> segmentationOptions,
    ClipSubtitles subtitles,
    NarrationExporter exporter,
    NarrationSearch search)
{
    /// <summary>Longest free prompt accepted, in characters.</summary>
    public const int MaxPromptLength = 8000;

    /// <summary>
    /// Validates and queues a narration for <paramref name="owner"/>. The returned job's events start with its queue position.
    /// Throws <see cref="NarrationRejectedException"/> at once with a sentence and a FailureCodes value when the request
    /// is invalid, the queue is full, the owner is at their limit, or the server is stopping.
    /// </summary>
    public async Task<NarrationJob> StartAsync(NarrationRequest request, NarrationOwner owner, CancellationToken cancellationToken)
    {
        var work = await ResolveAsync(request, cancellationToken).ConfigureAwait(false);
        var job = queue.Enqueue(work, owner);
        clips.Touch(work.ClipId);
        return job;
    }

    /// <summary>
    /// Starts a narration and streams its events until the final one. A refused request yields one failed event saying why.
    /// If the caller stops reading before the end (cancelled, disconnected), the narration is cancelled so the model is freed.
    /// </summary>
    public IAsyncEnumerable<NarrationEvent> NarrateAsync(NarrationRequest request, NarrationOwner owner, CancellationToken cancellationToken) =>
        FollowAsync(ct => StartAsync(request, owner, ct), "The narration was cancelled because nobody was following it any more.", cancellationToken);

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

    /// <summary>Cancels a narration by id (queued: removed; running: stops at the next token). False if unknown or finished.</summary>
    public bool Cancel(string narrationId) =>
        queue.Cancel(narrationId, FailureCodes.Cancelled, "The narration was cancelled.");

    /// <summary>Cancels everything an owner has queued or running (they left).</summary>
    public int CancelAll(NarrationOwner owner) => queue.CancelOwner(owner);

    /// <summary>A live or recently finished narration (with its event stream), or null.</summary>
    public NarrationJob? Find(string narrationId) => queue.Find(narrationId);

    /// <summary>A narration's current record: live from the queue, else from history; null if unknown.</summary>
    public async Task<NarrationRecord?> GetAsync(string narrationId, CancellationToken cancellationToken) =>
        queue.Find(narrationId) is { IsFinished: false } live
            ? live.ToRecord()
            // A finished narration's stored record also carries its translations; a translation request is only ever live.
            : await history.GetAsync(narrationId, cancellationToken).ConfigureAwait(false) ?? queue.Find(narrationId)?.ToRecord();

    /// <summary><paramref name="owner"/>'s narration (live or stored, with its translations); null when unknown or someone else's.</summary>
    public async Task<NarrationRecord?> GetOwnedAsync(string narrationId, NarrationOwner owner, CancellationToken cancellationToken) =>
        queue.Find(narrationId) is { IsFinished: false } live
            ? live.Owner == owner ? live.ToRecord() : null
            : await history.GetAsync(narrationId, cancellationToken, owner).ConfigureAwait(false)
              ?? (queue.Find(narrationId) is { } job && job.Owner == owner ? job.ToRecord() : null);

    /// <summary>Finished narrations, newest first.</summary>
    public Task<IReadOnlyList<NarrationRecord>> ListAsync(HistoryQuery query, CancellationToken cancellationToken) =>
        history.ListAsync(query, cancellationToken);

    public QueueSnapshot QueueSnapshot() => queue.Snapshot();

    /// <summary>
    /// Queues a translation of <paramref name="owner"/>'s finished narration into <paramref name="languages"/> (one request,
    /// the languages one after another). Refused with a sentence when the narration is not theirs, not finished or empty,
    /// a language is unknown, or the queue says no.
    /// </summary>
    public async Task<NarrationJob> TranslateAsync(string narrationId, IEnumerable<string>? languages, NarrationOwner owner,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<TranslationLanguage> chosen;
        try
        {
            chosen = TranslationLanguages.ParseList(languages);
        }
        catch (UserInputException ex)
        {
            throw Invalid(ex.Message);
        }
        if (queue.Find(narrationId) is { IsFinished: false, Owner: var running } && running == owner)
        {
            throw Invalid($"Narration \"{narrationId}\" is still running; translate it once it has finished.");
        }
        var record = await history.GetAsync(narrationId, cancellationToken, owner).ConfigureAwait(false)
            ?? throw new NarrationRejectedException(FailureCodes.NotFound, $"No narration \"{narrationId}\" of yours is stored; only your own finished narrations can be translated.");
        var work = await TranslationWorkAsync(record, chosen, cancellationToken).ConfigureAwait(false);
        return queue.Enqueue(work, owner);
    }

    /// <summary>Queues a translation and streams its events like <see cref="NarrateAsync"/> (cancelled if the caller stops reading).</summary>
    public IAsyncEnumerable<NarrationEvent> TranslateAndFollowAsync(string narrationId, IEnumerable<string> languages, NarrationOwner owner,
        CancellationToken cancellationToken) =>
        FollowAsync(ct => TranslateAsync(narrationId, languages, owner, ct), "The translation was cancelled because nobody was following it any more.",
            cancellationToken);

    /// <summary>The work that translates a finished narration: its text as the template shaped it, and the token room it needs.</summary>
    internal async Task<NarrationWork> TranslationWorkAsync(NarrationRecord record, IReadOnlyList<TranslationLanguage> languages,
        CancellationToken cancellationToken)
    {
        var narration = await exporter.ToTimedNarrationAsync(record, cancellationToken).ConfigureAwait(false);
        if (!narration.Segments.Any(segment => segment.Error is null && segment.DisplayText.Trim().Length > 0))
        {
            throw Invalid($"Narration \"{record.Id}\" has no text to translate ({record.Error ?? "it is empty"}).");
        }
        var template = string.IsNullOrEmpty(record.Template) ? null : await templates.FindAsync(record.Template, cancellationToken).ConfigureAwait(false);
        return NarrationWork.ForTranslation(record.Id, record.ClipId, record.ClipLabel, record.Frames, template, narration, languages,
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
        if (prompt.Length > MaxPromptLength)
        {
            throw Invalid($"The prompt is {prompt.Length} characters long; the limit is {MaxPromptLength}.");
        }
        var overrides = (request.Options ?? TemplateOptions.None).Over(TemplateOptions.From(request.Frames, request.Generation));
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
        if (segmentationOptions.Value.IsLong(clip.Probe))
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
            Frames = options.Frames,
            Generation = options.Generation,
            EstimatedVisualTokens = plan.VisualTokens,
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

    private static SegmentationMode? ParseSplit(string? split) => split?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "scenes" => SegmentationMode.Scenes,
        "fixed" => SegmentationMode.Fixed,
        _ => throw Invalid($"split is \"{split}\"; use \"scenes\" (cut on scene changes) or \"fixed\" (equal-length segments)."),
    };

    private static NarrationRejectedException Invalid(string message) => new(FailureCodes.InvalidRequest, message);
}
