using Narrator.Model.Exports;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Engine;
using Narrator.Web.Services.Templates;

namespace Narrator.Web.Services;

/// <summary>
/// A finished narration as a timestamped document for the export writers (JSON, NDJSON, SRT, WebVTT, text): a long
/// video's segments as narrated, or a clip narrated whole as one segment covering all of it, its text read the way the
/// template says (tags, JSON). A narration that did not complete is marked as such.
/// </summary>
public sealed class NarrationExporter(TemplateLibrary templates, EngineHost engine)
{
    public async Task<TimedNarration> ToTimedNarrationAsync(NarrationRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        double duration = record.DurationSeconds ?? 0;
        IReadOnlyList<NarrationSegment> segments;
        if (record.Segments is { } narrated)
        {
            segments = narrated;
        }
        else if (record.Text.Length == 0)
        {
            segments = [];
        }
        else
        {
            var whole = new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = duration, Text = record.Text, Stats = record.Stats };
            var template = string.IsNullOrEmpty(record.Template) ? null : await templates.FindAsync(record.Template, cancellationToken).ConfigureAwait(false);
            segments = [template is null ? whole : SegmentOutputProcessor.For(template)(whole)];
        }
        return new TimedNarration
        {
            Video = record.ClipLabel,
            DurationSeconds = duration,
            Segments = segments,
            Template = record.Template,
            Model = engine.Status.Info?.ModelName,
            Segmentation = record.Segmentation ?? "whole",
            // A partial text (stopped, failed, interrupted by a restart) says so in the file.
            State = record.State == "completed" ? null : record.State,
            StateNote = record.State == "completed" ? null : record.Error,
        };
    }

    public async Task<string> ExportAsync(NarrationRecord record, ExportFormat format, CancellationToken cancellationToken) =>
        await NarrationExport.ToStringAsync(format, await ToTimedNarrationAsync(record, cancellationToken).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false);
}
