using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Narrator.Model;
using Narrator.Model.Engines;
using Narrator.Model.Generation;
using Narrator.Model.Segmentation;
using Narrator.Model.Subtitles;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Engine;
using Narrator.Web.Services.History;

namespace Narrator.Web.Services.Queue;

/// <summary>
/// The queue's consumer and the only code that talks to the engine: takes requests in order (as many at once as the
/// engine says it can run), streams the engine's updates out as narration events, enforces the time limit, records
/// the result in history, and turns every way a request can end into exactly one completed or failed event.
/// </summary>
public sealed class NarrationWorker(
    NarrationQueue queue,
    EngineHost engine,
    IClipPreparer preparer,
    LongVideoNarrator longVideos,
    QueuedTranslator translations,
    NarrationJournal journal,
    QueueEtaEstimator estimator,
    IOptions<QueueOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<NarrationWorker> logger) : BackgroundService
{
    private readonly TimeSpan maxGeneration = TimeSpan.FromSeconds(options.Value.MaxGenerationSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Queued owners hear about shutdown as soon as it starts, not when the host gets round to stopping this service.
        using var onStopping = lifetime.ApplicationStopping.Register(
            () => queue.Close("The server is shutting down; please try again in a minute."));
        IChatClient client;
        try
        {
            client = await engine.WhenReadyAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception ex)
        {
            queue.Close($"Narrations are unavailable: {ex.Message}");
            return;
        }
        int slots = Math.Max(1, client.GetService<EngineInfo>()?.MaxConcurrency ?? 1);
        queue.SetSlots(slots);
        var consumers = new Task[slots];
        for (int i = 0; i < slots; i++)
        {
            consumers[i] = ConsumeAsync(client, stoppingToken);
        }
        await Task.WhenAll(consumers).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Close("The server is shutting down; please try again in a minute.");
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ConsumeAsync(IChatClient client, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            NarrationJob job;
            try
            {
                job = await queue.TakeNextAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await RunAsync(client, job, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one narration to its single final event; never throws.</summary>
    internal async Task RunAsync(IChatClient client, NarrationJob job, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(maxGeneration);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(job.Cancellation.Token, timeout.Token, stoppingToken);
        var cancellationToken = linked.Token;
        logger.LogInformation("Narration {NarrationId} started after {QueueSeconds:F1}s in the queue",
            job.Id, job.TimeInQueue?.TotalSeconds ?? 0);
        try
        {
            // A long video's (and a translation's) time limit applies to each engine call, so it restarts as every one begins.
            var stats = job.Work.Translation is { } translation
                ? await translations.TranslateAsync(client, job, translation, () => timeout.CancelAfter(maxGeneration), cancellationToken).ConfigureAwait(false)
                : job.Work.Segmentation is { } segmentation
                ? await longVideos.NarrateAsync(client, job, segmentation, () => timeout.CancelAfter(maxGeneration), cancellationToken).ConfigureAwait(false)
                : await NarrateWholeAsync(client, job, cancellationToken).ConfigureAwait(false);
            estimator.Record(stats with { GeneratedTokens = stats.GeneratedTokens / Math.Max(1, job.Segments?.Count ?? 1) },
                job.Work.Options.Generation.MaxNewTokens);
            var completed = new CompletedEvent(job.Text, stats) { NarrationId = job.Id };
            // Stored before the final event goes out, so a client that reads history right after "completed" finds it.
            await SaveAsync(job, completed).ConfigureAwait(false);
            var (followUp, refusal) = translations.FollowUp(job, completed);
            if (followUp is not null)
            {
                if (queue.FinishWithFollowUp(job, completed, followUp) is { } next)
                {
                    // Recorded like any accepted request, so a crash leaves its running language interrupted.
                    await journal.AcceptedAsync(next).ConfigureAwait(false);
                }
            }
            else
            {
                queue.Finish(job, refusal is null ? completed : completed with { TranslationError = refusal });
            }
            logger.LogInformation("Narration {NarrationId} completed: {Tokens} tokens in {Milliseconds:F0} ms ({Reason})",
                job.Id, stats.GeneratedTokens, stats.TotalMilliseconds, stats.FinishReason);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var (code, text) = job.CancelReason
                ?? (timeout.IsCancellationRequested
                    ? (FailureCodes.Timeout, job.Work.Segmentation is null
                        ? $"The narration was stopped after the {maxGeneration.TotalSeconds:0}-second limit."
                        : $"The narration was stopped: one segment took longer than the {maxGeneration.TotalSeconds:0}-second limit.")
                    : (FailureCodes.ShuttingDown, "The server is shutting down; please try again in a minute."));
            await FailAsync(job, code, text).ConfigureAwait(false);
            logger.LogInformation("Narration {NarrationId} stopped ({Code}) after {Tokens} tokens", job.Id, code, job.TokenPieces);
        }
        catch (ContextOverflowException ex)
        {
            // Reached only when the engine was still loading at admission (or a long video's segment planned larger).
            await FailAsync(job, FailureCodes.ContextExceeded, ex.Message).ConfigureAwait(false);
            logger.LogInformation("Narration {NarrationId} refused: {Message}", job.Id, ex.Message);
        }
        catch (UserInputException ex)
        {
            // ffmpeg's sentences name the stored file; the visitor knows their clip by its label.
            await FailAsync(job, FailureCodes.InvalidMedia, job.Work.InVisitorTerms(ex.Message)).ConfigureAwait(false);
            logger.LogInformation("Narration {NarrationId} refused: {Message}", job.Id, ex.Message);
        }
        catch (RemoteEngineException ex)
        {
            // The remote server said what went wrong: pass on the visitor-safe sentence, log the full one (address, setting).
            logger.LogError(ex, "Narration {NarrationId} failed on the remote engine: {Reason}", job.Id, ex.Message);
            await FailAsync(job, FailureCodes.EngineError, ex.PublicMessage).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Narration {NarrationId} failed in the engine", job.Id);
            await FailAsync(job, FailureCodes.EngineError, job.Work.NeedsFrames
                ? "The model failed while narrating this clip; the error has been logged."
                : "The model failed while translating; the error has been logged.").ConfigureAwait(false);
        }
    }

    /// <summary>A clip narrated in one engine call: its frames (usually prepared while it queued), then the streamed tokens.</summary>
    private async Task<GenerationStats> NarrateWholeAsync(IChatClient client, NarrationJob job, CancellationToken cancellationToken)
    {
        // Always said, so every client sees the same stage sequence; instant when the frames were prepared ahead.
        job.Publish(StageEvent.Of(job.Id, NarrationStage.PreparingFrames));
        var media = await job.EnsurePreparation(preparer).WaitAsync(cancellationToken).ConfigureAwait(false);
        // The dialogue on screen during the clip goes in with the prompt (the model cannot hear it).
        string prompt = SubtitlePrompt.Compose(job.Work.Prompt, job.Work.Subtitles, 0, job.Work.Probe?.DurationSeconds ?? double.PositiveInfinity);
        var call = await NarrationCall.RunAsync(client, media, prompt, job.Work.Options.Generation, new JobStream(job), cancellationToken).ConfigureAwait(false);
        return call.Stats;
    }

    /// <summary>A whole clip's stages and tokens as the job's events and text.</summary>
    private sealed class JobStream(NarrationJob job) : INarrationProgress
    {
        public void OnStage(NarrationStage stage) => job.Publish(StageEvent.Of(job.Id, stage));

        public void OnToken(string text)
        {
            job.AppendToken(text);
            job.Publish(new TokenEvent(text) { NarrationId = job.Id });
        }
    }

    private async Task FailAsync(NarrationJob job, string code, string message)
    {
        var failed = new FailedEvent(message) { NarrationId = job.Id, Code = code, PartialText = job.Text };
        await SaveAsync(job, failed).ConfigureAwait(false);
        queue.Finish(job, failed);
    }

    // Never throws: a history that cannot be written (a full disk) keeps the record and retries; the person still gets it.
    // A translation request's languages are written with their narration; the journal knows it by its work.
    private Task SaveAsync(NarrationJob job, NarrationEvent final) => journal.FinishedAsync(job, final);
}
