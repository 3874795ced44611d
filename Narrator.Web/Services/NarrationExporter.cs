using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Templates;
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
            var template = string.IsNullOrEmpty(record.Template) ? null : await templates.FindAsync(record.Template, cancellationToken).ConfigureAwait(false);
            segments = [WholeSegment(record.Text, duration, record.Stats, template)];
        }
        return WithTranslations(new TimedNarration
        {
            Video = record.ClipLabel,
            DurationSeconds = duration,
            Segments = segments,
            Template = record.Template,
            Model = engine.Status.Info?.ModelName,
            Segmentation = record.Segmentation ?? "whole",
            // A partial text (stopped, failed, interrupted by a restart) says so in the file.
            State = record.State == NarrationState.Completed ? null : record.State.ToName(),
            StateNote = record.State == NarrationState.Completed ? null : record.Error,
        }, record.Translations);
    }

    /// <summary>A clip narrated whole as one segment covering all of it, its text read the way the template says (tags, JSON).</summary>
    public static NarrationSegment WholeSegment(string text, double durationSeconds, GenerationStats? stats, PromptTemplate? template)
    {
        var whole = new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = durationSeconds, Text = text, Stats = stats };
        return template is null ? whole : SegmentOutputProcessor.For(template)(whole);
    }

    /// <summary>The narration with its completed translations: the whole text by language, and each segment's own part.</summary>
    private static TimedNarration WithTranslations(TimedNarration narration, IReadOnlyDictionary<string, NarrationTranslation>? translations)
    {
        if (translations is null)
        {
            return narration;
        }
        var whole = new Dictionary<string, string>(StringComparer.Ordinal);
        var bySegment = new Dictionary<int, Dictionary<string, string>>();
        foreach (var (language, translation) in translations)
        {
            if (translation.State != NarrationState.Completed)
            {
                continue;
            }
            whole[language] = translation.Text;
            if (translation.Segments is { } parts)
            {
                foreach (var part in parts.Where(part => part.Error is null && part.Text.Length > 0))
                {
                    (bySegment.TryGetValue(part.Index, out var texts) ? texts : bySegment[part.Index] = new(StringComparer.Ordinal))[language] = part.Text;
                }
            }
            else if (narration.Segments.Count == 1)
            {
                (bySegment.TryGetValue(0, out var texts) ? texts : bySegment[0] = new(StringComparer.Ordinal))[language] = translation.Text;
            }
        }
        if (whole.Count == 0)
        {
            return narration;
        }
        var segments = narration.Segments.Select(segment => bySegment.TryGetValue(segment.Index, out var texts) ? segment with { Translations = texts } : segment).ToList();
        return narration with { Segments = segments, Translations = whole };
    }

    /// <summary>
    /// The narration as a file; with <paramref name="language"/>, every segment's text in that translation instead (a
    /// <see cref="Narrator.Model.UserInputException"/> when there is none).
    /// </summary>
    public async Task<string> ExportAsync(NarrationRecord record, ExportFormat format, CancellationToken cancellationToken, string? language = null)
    {
        var narration = await ToTimedNarrationAsync(record, cancellationToken).ConfigureAwait(false);
        if (language is not null)
        {
            narration = narration.InLanguage(Narrator.Model.Translation.TranslationLanguages.Find(language)?.Code ?? language);
        }
        return await NarrationExport.ToStringAsync(format, narration, cancellationToken).ConfigureAwait(false);
    }
}
