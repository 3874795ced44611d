using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Segmentation;
using Narrator.Model.Translation;
using Narrator.Web.Narrations;
using Narrator.Web.Services.History;

namespace Narrator.Web.Services.Queue;

/// <summary>
/// Runs a translation request for the queue's worker: each language in turn, a long video segment by segment, streamed to
/// the job's followers like a narration ("translating into fr" stages, tokens under the same time headings, a
/// translation event per finished language). The history journal keeps each language in step like a narration: written
/// as "running" with its text so far while it streams (so a crash leaves it "interrupted", not lost), and stored with its
/// narration as soon as it is done, before its translation event goes out. When a language is stopped or fails, what it
/// had written is stored with the reason before the request ends.
/// </summary>
public sealed class QueuedTranslator(NarrationJournal journal, IOptions<QueueOptions> options, ILogger<NarrationTranslator> logger)
{
    /// <param name="onCallStarted">Runs before every engine call (the worker restarts its time limit there).</param>
    public async Task<GenerationStats> TranslateAsync(IChatClient engine, NarrationJob job, TranslationWork work, Action onCallStarted,
        CancellationToken cancellationToken)
    {
        var translator = new NarrationTranslator(engine, logger);
        var totals = new List<GenerationStats>(work.Languages.Count);
        bool segmented = work.Narration.Segments.Count > 1 || SegmentationNames.IsSplit(work.Narration.Segmentation);
        for (int i = 0; i < work.Languages.Count; i++)
        {
            var language = work.Languages[i];
            job.Publish(StageEvent.OfTranslation(job.Id, language.Code, i + 1, work.Languages.Count));
            if (work.Languages.Count > 1)
            {
                // Several languages share one text: each starts under its own heading.
                Write(job, (i > 0 ? "\n\n" : "") + $"[{language.Code}]\n");
            }
            var progress = new JobProgress(job, onCallStarted, segmented);
            var startedAt = DateTimeOffset.UtcNow;
            job.Translations.Started(language.Code, () => new NarrationTranslation
            {
                Language = language.Code,
                State = NarrationState.Running,
                Text = progress.Text,
                Segments = segmented ? progress.Segments : null,
                FinishedAt = startedAt,
            });
            await journal.WriteNowAsync(job).ConfigureAwait(false);
            try
            {
                var result = await translator.TranslateAsync(work.Narration, language, work.OutputKind, options.Value.MaxNewTokensLimit, progress,
                    cancellationToken).ConfigureAwait(false);
                totals.Add(result.Stats);
                await SaveAsync(job, new NarrationTranslation
                {
                    Language = language.Code,
                    State = NarrationState.Completed,
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
                await SaveAsync(job, new NarrationTranslation
                {
                    Language = language.Code,
                    State = NarrationState.Failed,
                    Text = progress.Text,
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
        return (NarrationWork.ForTranslation(job.Id, job.Work.ClipId, job.Work.ClipLabel, job.Work.Options.Frames, job.Work.Template, narration, languages,
            options.Value.MaxNewTokensLimit), null);
    }

    /// <summary>Records how a language ended and has the journal write it now; never throws (a full disk keeps it for a retry).</summary>
    private async Task SaveAsync(NarrationJob job, NarrationTranslation translation)
    {
        job.Translations.Ended(translation);
        await journal.WriteNowAsync(job).ConfigureAwait(false);
    }

    private static void Write(NarrationJob job, string text)
    {
        job.AppendText(text);
        job.Publish(new TokenEvent(text) { NarrationId = job.Id });
    }

    /// <summary>
    /// Turns the translator's progress into the job's events and text, laid out like a narration's; keeps what is done so
    /// far. The journal reads <see cref="Segments"/> and <see cref="Text"/> from another thread, hence the lock.
    /// </summary>
    private sealed class JobProgress(NarrationJob job, Action onCallStarted, bool segmented) : ITranslationProgress
    {
        private readonly Lock gate = new();
        private readonly List<NarrationSegment> done = [];
        private readonly System.Text.StringBuilder partial = new();
        private NarrationSegment? current;

        /// <summary>The segments translated so far, then the one being translated with its partial text.</summary>
        public IReadOnlyList<NarrationSegment> Segments
        {
            get
            {
                lock (gate)
                {
                    return current is null ? [.. done] : [.. done, current with { Text = partial.ToString() }];
                }
            }
        }

        /// <summary>The text so far, laid out like the finished translation's.</summary>
        public string Text => NarrationTranslator.Layout(Segments, segmented);

        public void OnSegmentStarted(NarrationSegment source, int count)
        {
            onCallStarted();
            lock (gate)
            {
                current = source with { Text = "", Tags = null, Json = null, Stats = null, Translations = null, Error = null };
                partial.Clear();
            }
            if (segmented)
            {
                job.Publish(StageEvent.OfSegment(job.Id, source.Index + 1, count));
                string heading = PlainTextNarrationWriter.Heading(source.StartSeconds, source.EndSeconds) + "\n";
                Write(job, source.Index > 0 ? "\n\n" + heading : heading);
            }
        }

        public void OnStage(NarrationStage stage) =>
            job.Publish(StageEvent.Of(job.Id, stage));

        public void OnToken(string text)
        {
            lock (gate)
            {
                partial.Append(text);
            }
            job.AppendToken(text);
            job.Publish(new TokenEvent(text) { NarrationId = job.Id });
        }

        public void OnSegmentCompleted(NarrationSegment translated, int count)
        {
            if (segmented && translated.Error is { } error)
            {
                Write(job, PlainTextNarrationWriter.FailedLine(error));
            }
            lock (gate)
            {
                done.Add(translated);
                current = null;
            }
        }
    }
}
