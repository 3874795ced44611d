using Microsoft.Extensions.AI;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Preprocessing;

namespace Narrator.Web.Services.Queue;

/// <summary>
/// Narrates a clip longer than the long-video limit for the queue's worker: split on scene cuts (or into fixed lengths),
/// each segment planned and narrated on its own, and everything told to the job's followers as it happens — the planned
/// segments, "segment k of n", each segment's stages and tokens under its time heading, then the finished segment.
/// </summary>
public sealed class LongVideoNarrator(MediaPreparer preparer, VideoSegmenter segmenter, IMediaWorkRunner mediaWork, ClipSegmentations? segmentations,
    ILogger<TimedNarrator> logger)
{
    /// <summary>
    /// Narrates the job's clip segment by segment and returns the totals. <paramref name="onSegmentStarted"/> runs as each
    /// segment begins (the worker restarts its time limit there). A segment whose frames cannot be decoded is recorded as
    /// failed and the others still run; throws a <see cref="MediaException"/> only when no segment could be prepared.
    /// </summary>
    public async Task<GenerationStats> NarrateAsync(IChatClient engine, NarrationJob job, SegmentationOptions segmentation,
        Action onSegmentStarted, CancellationToken cancellationToken)
    {
        var narrator = new TimedNarrator(engine, preparer, segmenter, logger, mediaWork);
        var work = job.Work;
        // Usually split already, from when the clip was uploaded.
        var known = segmentations is not null && work.Probe is { } probe
            ? await segmentations.GetAsync(work.ClipPath, probe, segmentation, PreprocessingPriority.ModelQueue, cancellationToken).ConfigureAwait(false)
            : null;
        var result = await narrator.NarrateAsync(new TimedNarrationRequest
        {
            Path = work.ClipPath,
            Video = work.ClipLabel,
            Probe = work.Probe,
            Prompt = work.Prompt,
            Subtitles = work.Subtitles,
            Template = work.TemplateId,
            Options = work.Options,
            Segmentation = segmentation,
            KnownSegmentation = known,
            Finish = work.Template is { } template ? SegmentOutputProcessor.For(template) : null,
        }, new JobProgress(job, onSegmentStarted), cancellationToken).ConfigureAwait(false);

        return result.Narration.TotalStats();
    }

    /// <summary>Turns the narrator's progress into the job's events and text.</summary>
    private sealed class JobProgress(NarrationJob job, Action onSegmentStarted) : INarrationProgress
    {
        public void OnSegmented(VideoSegmentation segmentation)
        {
            job.SegmentationMethod = segmentation.MethodName;
            int count = segmentation.Segments.Count;
            // The whole plan first, so a timeline can show every segment before the first one is narrated.
            foreach (var segment in segmentation.Segments)
            {
                job.Publish(new SegmentEvent(segment.ToPlanned(), count) { NarrationId = job.Id, Finished = false });
            }
        }

        public void OnSegmentStarted(VideoSegment segment, int count)
        {
            onSegmentStarted();
            job.Publish(StageEvent.OfSegment(job.Id, segment.Index + 1, count));
            // Headings travel as text so the streamed pieces still add up to the final text, laid out like the .txt export.
            string heading = PlainTextNarrationWriter.Heading(segment.StartSeconds, segment.EndSeconds) + "\n";
            Write(segment.Index > 0 ? "\n\n" + heading : heading);
        }

        public void OnStage(NarrationStage stage) =>
            job.Publish(StageEvent.Of(job.Id, stage));

        public void OnToken(string text)
        {
            job.AppendToken(text);
            job.Publish(new TokenEvent(text) { NarrationId = job.Id });
        }

        public void OnSegmentCompleted(NarrationSegment segment, int count)
        {
            if (segment.Error is { } error)
            {
                Write(PlainTextNarrationWriter.FailedLine(error));
            }
            job.RecordSegment(segment);
            job.Publish(new SegmentEvent(segment, count) { NarrationId = job.Id });
        }

        private void Write(string text)
        {
            job.AppendText(text);
            job.Publish(new TokenEvent(text) { NarrationId = job.Id });
        }
    }
}
