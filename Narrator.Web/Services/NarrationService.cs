using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Narrator.Model;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services;

/// <summary>
/// What the page, the hub and the HTTP API call to narrate: validates a <see cref="NarrationRequest"/> (clip, template or
/// prompt, options), resolves it into work for the queue, and answers "where is narration X" from the queue or history.
/// </summary>
public sealed class NarrationService(
    NarrationQueue queue,
    ClipStore clips,
    NarrationHistory history,
    IOptions<QueueOptions> queueOptions)
{
    /// <summary>Longest free prompt accepted, in characters.</summary>
    public const int MaxPromptLength = 8000;

    /// <summary>
    /// Validates and queues a narration for <paramref name="owner"/>. The returned job's events start with its queue position.
    /// Throws <see cref="NarrationRejectedException"/> at once with a sentence and a FailureCodes value when the request
    /// is invalid, the queue is full, the owner is at their limit, or the server is stopping.
    /// </summary>
    public NarrationJob Start(NarrationRequest request, NarrationOwner owner)
    {
        var work = Resolve(request);
        var job = queue.Enqueue(work, owner);
        clips.Touch(work.ClipId);
        return job;
    }

    /// <summary>
    /// Starts a narration and streams its events until the final one. A refused request yields one failed event saying why.
    /// If the caller stops reading before the end (cancelled, disconnected), the narration is cancelled so the model is freed.
    /// </summary>
    public async IAsyncEnumerable<NarrationEvent> NarrateAsync(
        NarrationRequest request, NarrationOwner owner, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        NarrationJob job;
        FailedEvent? refusal = null;
        try
        {
            job = Start(request, owner);
        }
        catch (NarrationRejectedException ex)
        {
            job = null!;
            refusal = new FailedEvent(ex.Message) { NarrationId = "", Code = ex.Code };
        }
        if (refusal is not null)
        {
            yield return refusal;
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
                queue.Cancel(job.Id, FailureCodes.Disconnected, "The narration was cancelled because nobody was following it any more.");
            }
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
        queue.Find(narrationId)?.ToRecord() ?? await history.GetAsync(narrationId, cancellationToken).ConfigureAwait(false);

    /// <summary>Finished narrations, newest first.</summary>
    public Task<IReadOnlyList<NarrationRecord>> ListAsync(HistoryQuery query, CancellationToken cancellationToken) =>
        history.ListAsync(query, cancellationToken);

    public QueueSnapshot QueueSnapshot() => queue.Snapshot();

    /// <summary>The frame and generation options a template starts from (Narrator's defaults without a template).</summary>
    public (FrameOptions Frames, GenerationOptions Generation) DefaultOptions(string? templateId) =>
        (new FrameOptions(), new GenerationOptions());

    /// <summary>Turns a request into queue work, or throws <see cref="NarrationRejectedException"/> naming what is wrong.</summary>
    internal NarrationWork Resolve(NarrationRequest? request)
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
        string? prompt = request.Prompt?.Trim();
        if (string.IsNullOrEmpty(prompt))
        {
            throw Invalid("The request needs a template id or a prompt.");
        }
        if (prompt.Length > MaxPromptLength)
        {
            throw Invalid($"The prompt is {prompt.Length} characters long; the limit is {MaxPromptLength}.");
        }
        var frames = request.Frames ?? new FrameOptions();
        var generation = request.Generation ?? new GenerationOptions();
        CheckGeneration(generation);
        FramePlan plan;
        try
        {
            FramePlanner.Validate(frames);
            plan = FramePlanner.Plan(clip.Probe, frames);
        }
        catch (UserInputException ex)
        {
            throw Invalid(ex.Message);
        }
        return new NarrationWork
        {
            ClipId = clip.Id,
            ClipLabel = clip.Label,
            ClipPath = clip.SourcePath,
            TemplateId = null,
            Prompt = prompt,
            Frames = frames,
            Generation = generation,
            EstimatedVisualTokens = plan.VisualTokens,
        };
    }

    private void CheckGeneration(GenerationOptions options)
    {
        int limit = queueOptions.Value.MaxNewTokensLimit;
        if (options.MaxNewTokens < 1 || options.MaxNewTokens > limit)
        {
            throw Invalid($"maxNewTokens must be between 1 and {limit} (got {options.MaxNewTokens}).");
        }
    }

    private static NarrationRejectedException Invalid(string message) => new(FailureCodes.InvalidRequest, message);
}
