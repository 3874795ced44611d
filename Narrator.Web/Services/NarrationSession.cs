using Microsoft.Extensions.Options;
using Narrator.Model.Exports;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Preprocessing;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Search;
using Narrator.Web.Services.Subtitles;
using Narrator.Model.Subtitles;
using Narrator.Web.Services.Templates;
using Narrator.Web.Services.Visitors;
using Narrator.Web.Services.Workspaces;
using Narrator.Model.Templates;

namespace Narrator.Web.Services;

/// <summary>
/// One page (a Blazor circuit; registered scoped, so it lives as long as the circuit): uploads, re-plans, narrates and
/// cancels as the visitor whose cookie loaded it, so their history, clips, templates and workspace are the same in every
/// tab and after a reload. When the circuit goes away (the tab closed or reloaded), what only this page followed keeps
/// running for <c>Narrator:Queue:ReattachSeconds</c>, so a reload re-attaches to it; then it is cancelled. The visitor's
/// other tabs and API clients go on.
/// </summary>
public sealed class NarrationSession(NarrationService narrations, ClipStore clips, TemplateLibrary templates, ClipSegmentations segmentations,
    IOptions<SegmentationOptions> segmentationOptions, IOptions<QueueOptions> queueOptions, WorkspaceStore workspaces, ClipSubtitles subtitles,
    CircuitVisitor visitor) : IDisposable
{
    /// <summary>The visitor this page acts for (their narrations, clips and templates).</summary>
    public NarrationOwner Owner => visitor.Owner;

    /// <summary>Built-in templates, then this visitor's own.</summary>
    public Task<IReadOnlyList<PromptTemplate>> TemplatesAsync(CancellationToken cancellationToken) =>
        templates.ListAsync(Owner.Value, cancellationToken);

    /// <summary>
    /// Saves (creates or changes) one of this visitor's templates. Throws <see cref="SettingsValidationException"/>
    /// (its Errors name each bad field), <see cref="TemplateConflictException"/> (id taken, too many) or
    /// <see cref="StorageFullException"/> (the disk is full).
    /// </summary>
    public Task<PromptTemplate> SaveTemplateAsync(PromptTemplate template, CancellationToken cancellationToken) =>
        templates.SaveAsync(template, Owner.Value, cancellationToken);

    public Task<bool> DeleteTemplateAsync(string templateId, CancellationToken cancellationToken) =>
        templates.DeleteAsync(templateId, Owner.Value, cancellationToken);

    /// <summary>
    /// Stores an upload (read once, never buffered whole) and returns its probe, frame plan, thumbnails and preview URL.
    /// Throws <see cref="ClipRejectedException"/> with a sentence for the person when the file is refused.
    /// </summary>
    public async Task<ClipInfo> UploadAsync(Stream content, string fileName, FrameOptions? frameOptions, CancellationToken cancellationToken)
    {
        var clip = await clips.SaveAsync(content, fileName, Owner, frameOptions, cancellationToken).ConfigureAwait(false);
        if (clips.Find(clip.Id) is { } stored)
        {
            subtitles.StartReading(stored);
        }
        return clip;
    }

    /// <summary>
    /// The clip's subtitle offer and the lines inside it that <paramref name="selection"/> puts into the prompt; null when the
    /// clip is gone. A stream that cannot be used throws a <see cref="Narrator.Model.UserInputException"/> saying why.
    /// </summary>
    public async Task<ClipSubtitlesView?> SubtitlesAsync(string clipId, SubtitleSelection selection, CancellationToken cancellationToken) =>
        clips.Find(clipId) is { } clip ? await subtitles.ViewAsync(clip, selection, cancellationToken).ConfigureAwait(false) : null;

    /// <summary>
    /// Attaches the visitor's .srt/.vtt to one of their clips (a sentence in a <see cref="Narrator.Model.UserInputException"/>
    /// when it cannot be used, <see cref="NotYoursException"/> for another visitor's clip, <see cref="ClipRejectedException"/>
    /// when their storage quota or the disk is full).
    /// </summary>
    public Task<ClipSubtitlesInfo> AttachSubtitlesAsync(string clipId, Stream content, string fileName, CancellationToken cancellationToken) =>
        subtitles.AttachAsync(clipId, Owner, content, fileName, cancellationToken);

    /// <summary>Removes the attached file from one of this visitor's clips (<see cref="NotYoursException"/> for another visitor's).</summary>
    public bool DetachSubtitles(string clipId) => subtitles.Detach(clipId, Owner);

    /// <summary>Translates one of this visitor's finished narrations, streaming like a narration (refusals as one failed event).</summary>
    public IAsyncEnumerable<NarrationEvent> TranslateAsync(string narrationId, IReadOnlyList<string> languages, CancellationToken cancellationToken) =>
        narrations.TranslateAndFollowAsync(narrationId, languages, visitor.Caller, cancellationToken);

    /// <summary>Searches this visitor's narrations, segments and translations (a query that cannot be searched throws with a sentence).</summary>
    public Task<NarrationSearchResult> SearchAsync(string query, int limit, CancellationToken cancellationToken) =>
        narrations.SearchAsync(query, Owner, limit, cancellationToken);

    /// <summary>A narration of this visitor's with its translations, live or stored; null when unknown.</summary>
    public Task<NarrationRecord?> NarrationAsync(string narrationId, CancellationToken cancellationToken) =>
        narrations.GetOwnedAsync(narrationId, Owner, cancellationToken);

    /// <summary>Raised (on a pool thread) when one of the clips changes after its upload was answered: its preview or exact frames are ready.</summary>
    public event Action<ClipInfo>? ClipUpdated;

    /// <summary>Starts passing the store's clip updates on to <see cref="ClipUpdated"/> (the page subscribes once it renders).</summary>
    public void WatchClips()
    {
        clips.ClipUpdated -= OnClipUpdated;
        clips.ClipUpdated += OnClipUpdated;
    }

    private void OnClipUpdated(ClipInfo clip) => ClipUpdated?.Invoke(clip);

    /// <summary>
    /// Raised (on the deleting request's thread) when one of this visitor's narrations is deleted, from this page, another
    /// tab or the API, with its id: every open page of the visitor drops it.
    /// </summary>
    public event Action<string>? NarrationDeleted;

    /// <summary>Starts passing the deletions of this visitor's narrations on to <see cref="NarrationDeleted"/> (the page subscribes once it is live).</summary>
    public void WatchDeletions()
    {
        narrations.Deleted -= OnNarrationDeleted;
        narrations.Deleted += OnNarrationDeleted;
    }

    private void OnNarrationDeleted(NarrationOwner owner, string narrationId)
    {
        if (owner == Owner)
        {
            NarrationDeleted?.Invoke(narrationId);
        }
    }

    /// <summary>
    /// The frames the model would see with other options (a template's, or the advanced settings). Only for this
    /// visitor's own clips (<see cref="NotYoursException"/> otherwise): re-planning changes the clip's thumbnails.
    /// </summary>
    public Task<ClipInfo> ReplanAsync(string clipId, FrameOptions frameOptions, CancellationToken cancellationToken)
    {
        if (clips.Find(clipId) is { } clip && clip.Owner != Owner)
        {
            throw new NotYoursException($"The clip \"{clip.Label}\" was uploaded by someone else; upload it yourself to change its frames.");
        }
        return clips.ReplanAsync(clipId, frameOptions, cancellationToken);
    }

    /// <summary>
    /// How a long clip will be divided under <paramref name="mode"/> (already worked out in the background since the
    /// upload, usually), as segments without text; null for a clip that is narrated whole or no longer exists.
    /// </summary>
    public async Task<IReadOnlyList<NarrationSegment>?> PlanSegmentsAsync(string clipId, SegmentationMode mode, CancellationToken cancellationToken)
    {
        if (clips.Find(clipId) is not { } clip || !segmentationOptions.Value.IsLong(clip.Probe))
        {
            return null;
        }
        var segmentation = await segmentations.GetAsync(clip.SourcePath, clip.Probe, segmentationOptions.Value with { Mode = mode },
            PreprocessingPriority.Upload, cancellationToken).ConfigureAwait(false);
        return segmentation.Segments.Select(segment => segment.ToPlanned()).ToList();
    }

    /// <summary>
    /// Narrates as this visitor: queued (as the position changes), started, stage, token..., then completed or failed.
    /// A refused request yields one failed event (its Code says why). Stop reading (cancel the token) to cancel it.
    /// </summary>
    public IAsyncEnumerable<NarrationEvent> NarrateAsync(NarrationRequest request, CancellationToken cancellationToken) =>
        narrations.NarrateAsync(request, visitor.Caller, cancellationToken);

    /// <summary>
    /// Starts a narration as this visitor, followed by this page: reading its events is up to the page, and stopping
    /// reading does not cancel it (Stop does, by id). A refused request comes back as the failed event saying why.
    /// </summary>
    public Task<(NarrationJob? Job, FailedEvent? Refusal)> StartAsync(NarrationRequest request, CancellationToken cancellationToken) =>
        narrations.StartOrRefuseAsync(request, visitor.Caller, cancellationToken);

    /// <summary>
    /// One of this visitor's narrations still in memory (queued, running, or recently ended), with its whole event log to
    /// replay; a live one is followed by this page from now on. Null when it is unknown here or someone else's.
    /// </summary>
    public NarrationJob? Attach(string narrationId)
    {
        if (narrations.Find(narrationId) is not { } job || job.Owner != Owner)
        {
            return null;
        }
        narrations.Follow(narrationId, Owner, visitor.Connection);
        return job;
    }

    /// <summary>A clip this visitor uploaded that is still on the server, or null.</summary>
    public ClipInfo? OwnClip(string clipId) => clips.Find(clipId) is { } clip && clip.Owner == Owner ? clips.Get(clipId) : null;

    /// <summary>Where this visitor left the page (any tab, any earlier visit), or null.</summary>
    public Task<VisitorWorkspace?> LoadWorkspaceAsync(CancellationToken cancellationToken) => workspaces.LoadAsync(Owner, cancellationToken);

    /// <summary>Remembers where this visitor is; a failed write is logged and ignored.</summary>
    public Task<bool> SaveWorkspaceAsync(VisitorWorkspace workspace, CancellationToken cancellationToken) =>
        workspaces.SaveAsync(Owner, workspace, cancellationToken);

    /// <summary>Stops one of this visitor's narrations by id (the id arrives in every event); false when it had already finished or is not theirs.</summary>
    public async Task<bool> CancelAsync(string narrationId, CancellationToken cancellationToken) =>
        await narrations.CancelAsync(narrationId, Owner, cancellationToken).ConfigureAwait(false) == CancelOutcome.Cancelled;

    /// <summary>Deletes one of this visitor's ended narrations everywhere it is held (see <see cref="NarrationService.DeleteAsync"/>).</summary>
    public Task<DeleteOutcome> DeleteAsync(string narrationId, CancellationToken cancellationToken) =>
        narrations.DeleteAsync(narrationId, Owner, cancellationToken);

    /// <summary>This visitor's ended narrations, newest first (from every tab, client and earlier visit).</summary>
    public Task<IReadOnlyList<NarrationRecord>> HistoryAsync(int limit, CancellationToken cancellationToken) =>
        narrations.ListAsync(new HistoryQuery { Owner = Owner, Limit = limit }, cancellationToken);

    public QueueSnapshot Queue() => narrations.QueueSnapshot();

    public void Dispose()
    {
        clips.ClipUpdated -= OnClipUpdated;
        narrations.Deleted -= OnNarrationDeleted;
        narrations.Unfollow(visitor.Connection, TimeSpan.FromSeconds(queueOptions.Value.ReattachSeconds));
    }
}
