using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Subtitles;
using Narrator.Model.Templates;
using Narrator.Model.Translation;

namespace Narrator.Web.Services.Queue;

/// <summary>A validated request with everything resolved: the clip file, the final prompt text and the merged options.</summary>
public sealed record NarrationWork
{
    public required string ClipId { get; init; }

    /// <summary>The visitor's file name, shown in history; never used as a path.</summary>
    public required string ClipLabel { get; init; }

    /// <summary>Where the clip is on disk.</summary>
    public required string ClipPath { get; init; }

    /// <summary>The template the prompt came from (its output kind decides how a segment's text is read), or null for a free prompt.</summary>
    public PromptTemplate? Template { get; init; }

    public string? TemplateId => Template?.Id;

    /// <summary>The probe taken when the clip was uploaded; null when unknown (tests).</summary>
    public MediaProbe? Probe { get; init; }

    public required string Prompt { get; init; }

    /// <summary>
    /// The request's settings, resolved once at admission (Narrator's defaults &lt; the template's &lt; the request's
    /// overrides) and validated: the frames go to the preparer, the generation options to the engine, both to the history.
    /// </summary>
    public required NarrationOptions Options { get; init; }

    /// <summary>Visual tokens the frame plan will produce (for ETAs; per segment for a long video); 0 when unknown.</summary>
    public int EstimatedVisualTokens { get; init; }

    /// <summary>
    /// The frame plan made at admission (and checked against the context there) for a clip narrated whole: the preparer
    /// decodes exactly it rather than planning again. Null when unknown (tests) and for long videos, whose segments are
    /// each planned as they run.
    /// </summary>
    public FramePlan? Plan { get; init; }

    /// <summary>How the clip is split when it is longer than the long-video limit; null narrates it whole.</summary>
    public SegmentationOptions? Segmentation { get; init; }

    /// <summary>Segments the narration is expected to take (for ETAs); 1 for a clip narrated whole.</summary>
    public int EstimatedSegments { get; init; } = 1;

    /// <summary>The dialogue; each prompt (each segment's, for a long video) gets the lines on screen during it.</summary>
    public SubtitleTrack? Subtitles { get; init; }

    /// <summary>Languages to translate into once the narration has completed.</summary>
    public IReadOnlyList<TranslationLanguage> TranslateAfter { get; init; } = [];

    /// <summary>Set when this request translates a finished narration instead of narrating a clip (no frames, text only).</summary>
    public TranslationWork? Translation { get; init; }

    /// <summary>True when the clip's frames are needed (a translation reads only text).</summary>
    public bool NeedsFrames => Translation is null;

    /// <summary>A message from the media tools with the stored file's path or name replaced by the visitor's label.</summary>
    public string InVisitorTerms(string message) => Clips.ClipLabels.InMessage(message, ClipPath, ClipLabel);

    /// <summary>
    /// The request that translates finished narration <paramref name="narrationId"/> into <paramref name="languages"/>: no
    /// clip needed (it may have expired), token room from the longest segment, one ETA step per segment and language.
    /// </summary>
    public static NarrationWork ForTranslation(string narrationId, string clipId, string clipLabel, FrameOptions frames, PromptTemplate? template,
        TimedNarration narration, IReadOnlyList<TranslationLanguage> languages, int maxNewTokensLimit)
    {
        string longest = narration.Segments.Select(segment => segment.DisplayText).MaxBy(text => text.Length) ?? "";
        return new NarrationWork
        {
            ClipId = clipId,
            ClipLabel = clipLabel,
            ClipPath = "",
            Template = template,
            Prompt = $"Translate into {string.Join(", ", languages.Select(language => language.Code))}.",
            // The narration's frame settings stay with it (its history row shows them); the token room is the translation's own.
            Options = new NarrationOptions(frames, TranslationPrompt.GenerationFor(longest, maxNewTokensLimit)),
            EstimatedSegments = Math.Max(1, narration.Segments.Count) * languages.Count,
            Translation = new TranslationWork
            {
                NarrationId = narrationId,
                Narration = narration,
                Languages = languages,
                OutputKind = template?.Output ?? TemplateOutputKind.Prose,
            },
        };
    }
}

/// <summary>A finished narration to translate, into which languages, and how its answers are shaped.</summary>
public sealed record TranslationWork
{
    public required string NarrationId { get; init; }

    public required TimedNarration Narration { get; init; }

    public required IReadOnlyList<TranslationLanguage> Languages { get; init; }

    public TemplateOutputKind OutputKind { get; init; } = TemplateOutputKind.Prose;
}
