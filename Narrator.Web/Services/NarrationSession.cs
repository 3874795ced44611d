using Microsoft.Extensions.Options;
using Narrator.Model.Exports;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Preprocessing;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Templates;
using Narrator.Model.Templates;

namespace Narrator.Web.Services;

/// <summary>
/// One visitor's page (a Blazor circuit; registered scoped, so it lives as long as the circuit): uploads, re-plans,
/// narrates and cancels as that visitor. When the circuit goes away, everything it had queued or running is cancelled.
/// </summary>
public sealed class NarrationSession(NarrationService narrations, ClipStore clips, TemplateLibrary templates, ClipSegmentations segmentations,
    IOptions<SegmentationOptions> segmentationOptions) : IDisposable
{
    /// <summary>This circuit's identity in the queue (per-owner limit, cancel on leave).</summary>
    public NarrationOwner Owner { get; } = NarrationOwner.ForCircuit(Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Who owns the custom templates this page saves. Defaults to this circuit (so they vanish from the list on reload);
    /// the page may set a stable key of its own (e.g. one kept in the browser's local storage).
    /// </summary>
    public string TemplateOwner { get; set; } = "page:" + Guid.NewGuid().ToString("N");

    /// <summary>Built-in templates, then this visitor's own.</summary>
    public Task<IReadOnlyList<PromptTemplate>> TemplatesAsync(CancellationToken cancellationToken) =>
        templates.ListAsync(TemplateOwner, cancellationToken);

    /// <summary>
    /// Saves (creates or changes) one of this visitor's templates. Throws <see cref="SettingsValidationException"/>
    /// (its Errors name each bad field) or <see cref="TemplateConflictException"/> (id taken, too many).
    /// </summary>
    public Task<PromptTemplate> SaveTemplateAsync(PromptTemplate template, CancellationToken cancellationToken) =>
        templates.SaveAsync(template, TemplateOwner, cancellationToken);

    public Task<bool> DeleteTemplateAsync(string templateId, CancellationToken cancellationToken) =>
        templates.DeleteAsync(templateId, TemplateOwner, cancellationToken);

    /// <summary>
    /// Stores an upload (read once, never buffered whole) and returns its probe, frame plan, thumbnails and preview URL.
    /// Throws <see cref="ClipRejectedException"/> with a sentence for the person when the file is refused.
    /// </summary>
    public Task<ClipInfo> UploadAsync(Stream content, string fileName, FrameOptions? frameOptions, CancellationToken cancellationToken) =>
        clips.SaveAsync(content, fileName, frameOptions, Owner, cancellationToken);

    /// <summary>Raised (on a pool thread) when one of the clips changes after its upload was answered: its preview or exact frames are ready.</summary>
    public event Action<ClipInfo>? ClipUpdated;

    /// <summary>Starts passing the store's clip updates on to <see cref="ClipUpdated"/> (the page subscribes once it renders).</summary>
    public void WatchClips()
    {
        clips.ClipUpdated -= OnClipUpdated;
        clips.ClipUpdated += OnClipUpdated;
    }

    private void OnClipUpdated(ClipInfo clip) => ClipUpdated?.Invoke(clip);

    /// <summary>The frames the model would see with other options (a template's, or the advanced settings).</summary>
    public Task<ClipInfo> ReplanAsync(string clipId, FrameOptions frameOptions, CancellationToken cancellationToken) =>
        clips.ReplanAsync(clipId, frameOptions, cancellationToken);

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
        narrations.NarrateAsync(request, Owner, cancellationToken);

    /// <summary>Stops a narration by id (the id arrives in every event); false when it had already finished.</summary>
    public bool Cancel(string narrationId) => narrations.Cancel(narrationId);

    /// <summary>Recent finished narrations, newest first (everyone's unless the query names an owner).</summary>
    public Task<IReadOnlyList<NarrationRecord>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken) =>
        narrations.ListAsync(query, cancellationToken);

    public QueueSnapshot Queue() => narrations.QueueSnapshot();

    public void Dispose()
    {
        clips.ClipUpdated -= OnClipUpdated;
        narrations.CancelAll(Owner);
    }
}
