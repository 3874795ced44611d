using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Translation;
using Narrator.Web.Narrations;
using Narrator.Web.Services.History;

namespace Narrator.Web.Services.Queue;

/// <summary>
/// Runs a translation request for the queue's worker: each language in turn, a long video segment by segment, streamed to
/// the job's followers like a narration ("translating into fr" stages, tokens under the same time headings, a
/// translation event per finished language), and each language stored with its narration as soon as it is done. When a
/// language is stopped or fails, what it had written is stored with the reason before the request ends.
/// </summary>
public sealed class QueuedTranslator(NarrationHistory history, IOptions<QueueOptions> options, ILogger<NarrationTranslator> logger)
{
    /// <param name="onCallStarted">Runs before every engine call (the worker restarts its time limit there).</param>
    public async Task<GenerationStats> TranslateAsync(IChatClient engine, NarrationJob job, TranslationWork work, Action onCallStarted,
        CancellationToken cancellationToken)
    {
        var translator = new NarrationTranslator(engine, logger);
        var totals = new List<GenerationStats>(work.Languages.Count);
        bool segmented = work.Narration.Segments.Count > 1 || work.Narration.Segmentation is "scenes" or "fixed";
        for (int i = 0; i < work.Languages.Count; i++)
        {
            var language = work.Languages[i];
            job.Publish(new StageEvent(StageNames.Translating(language.Code, i + 1, work.Languages.Count)) { NarrationId = job.Id });
            if (work.Languages.Count > 1)
            {
                // Several languages share one text: each starts under its own heading.
                Write(job, (i > 0 ? "\n\n" : "") + $"[{language.Code}]\n");
            }
            var progress = new JobProgress(job, onCallStarted, segmented);
            try
            {
                var result = await translator.TranslateAsync(work.Narration, language, work.OutputKind, options.Value.MaxNewTokensLimit, progress,
                    cancellationToken).ConfigureAwait(false);
                totals.Add(result.Stats);
                await SaveAsync(job, work, new NarrationTranslation
                {
                    Language = language.Code,
                    State = "completed",
                    Text = result.Text,
                    Segments = segmented ? result.Segments : null,
                    Stats = result.Stats,
                    FinishedAt = DateTimeOffset.UtcNow,
                }).ConfigureAwait(false);
                job.Publish(new TranslationEvent(language.Code, result.Text) { NarrationId = job.Id, Segments = segmented ? result.Segments : null });
            }
            catch (Exception ex)
            {
                string error = ex switch
                {
                    OperationCanceledException => job.CancelReason?.Message ?? "The translation was stopped.",
                    Narrator.Model.UserInputException => ex.Message,
                    _ => "The model failed while translating; the error has been logged.",
                };
                await SaveAsync(job, work, new NarrationTranslation
                {
                    Language = language.Code,
                    State = "failed",
                    Text = NarrationTranslator.Layout(progress.Segments, segmented),
                    Segments = segmented ? progress.Segments : null,
                    Error = error,
                    FinishedAt = DateTimeOffset.UtcNow,
                }).ConfigureAwait(false);
                throw;
            }
        }
        return GenerationStats.Total(totals);
    }

    /// <summary>
    /// The translation to queue once a narration started with <c>translate</c> has completed, or why there is none to
    /// queue (nothing was narrated); (null, null) when no translation was asked for.
    /// </summary>
    public (NarrationWork? Work, string? Refusal) FollowUp(NarrationJob job, CompletedEvent completed)
    {
        var languages = job.Work.TranslateAfter;
        if (languages.Count == 0 || job.Work.Translation is not null)
        {
            return (null, null);
        }
        double duration = job.Work.Probe?.DurationSeconds ?? 0;
        IReadOnlyList<NarrationSegment> segments = job.Segments ?? [NarrationExporter.WholeSegment(completed.Text, duration, completed.Stats, job.Work.Template)];
        if (!segments.Any(segment => segment.Error is null && segment.DisplayText.Trim().Length > 0))
        {
            return (null, "The narration has no text to translate.");
        }
        var narration = new TimedNarration
        {
            Video = job.Work.ClipLabel,
            DurationSeconds = duration,
            Segments = segments,
            Template = job.Work.TemplateId,
            Segmentation = job.SegmentationMethod ?? "whole",
        };
        return (NarrationWork.ForTranslation(job.Id, job.Work.ClipId, job.Work.ClipLabel, job.Work.Frames, job.Work.Template, narration, languages,
            options.Value.MaxNewTokensLimit), null);
    }

    private async Task SaveAsync(NarrationJob job, TranslationWork work, NarrationTranslation translation)
    {
        try
        {
            await history.SaveTranslationAsync(work.NarrationId, job.Owner, job.Work.ClipLabel, translation, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A full disk must not keep the person from reading the translation as it streams.
            logger.LogError(ex, "Could not store the {Language} translation of narration {NarrationId}", translation.Language, work.NarrationId);
        }
    }

    private static void Write(NarrationJob job, string text)
    {
        job.AppendText(text);
        job.Publish(new TokenEvent(text) { NarrationId = job.Id });
    }

    /// <summary>Turns the translator's progress into the job's events and text, laid out like a narration's; keeps what is done so far.</summary>
    private sealed class JobProgress(NarrationJob job, Action onCallStarted, bool segmented) : ITranslationProgress
    {
        private readonly List<NarrationSegment> done = [];

        /// <summary>The segments translated so far, then the one being translated with its partial text.</summary>
        public IReadOnlyList<NarrationSegment> Segments => current is null ? done : [.. done, current with { Text = partial.ToString() }];

        private NarrationSegment? current;
        private readonly System.Text.StringBuilder partial = new();

        public void OnSegmentStarted(NarrationSegment source, int count)
        {
            onCallStarted();
            current = source with { Text = "", Tags = null, Json = null, Stats = null, Translations = null, Error = null };
            partial.Clear();
            if (segmented)
            {
                job.Publish(new StageEvent(StageNames.Segment(source.Index + 1, count)) { NarrationId = job.Id });
                string heading = PlainTextNarrationWriter.Heading(source.StartSeconds, source.EndSeconds) + "\n";
                Write(job, source.Index > 0 ? "\n\n" + heading : heading);
            }
        }

        public void OnStage(NarrationStage stage) =>
            job.Publish(new StageEvent(stage.ToStageName()) { NarrationId = job.Id });

        public void OnToken(string text)
        {
            partial.Append(text);
            job.AppendToken(text);
            job.Publish(new TokenEvent(text) { NarrationId = job.Id });
        }

        public void OnSegmentCompleted(NarrationSegment translated, int count)
        {
            if (segmented && translated.Error is { } error)
            {
                Write(job, PlainTextNarrationWriter.FailedLine(error));
            }
            done.Add(translated);
            current = null;
        }
    }
}
