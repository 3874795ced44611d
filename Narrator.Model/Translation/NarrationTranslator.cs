using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Segmentation;
using Narrator.Model.Templates;

namespace Narrator.Model.Translation;

/// <summary>
/// Translates a finished narration with the model that wrote it: one text-only turn through the engine seat per
/// segment (a clip narrated whole is one segment), so a long video's translation keeps every segment's times and its
/// subtitles line up. Segments that failed or say nothing are passed over; a failing segment does not stop the rest.
/// </summary>
public sealed class NarrationTranslator(IChatClient engine, ILogger<NarrationTranslator>? logger = null)
{
    private readonly ILogger logger = logger ?? NullLogger<NarrationTranslator>.Instance;

    /// <param name="maxNewTokensLimit">The most tokens one segment's translation may take (a server's limit).</param>
    public async Task<TranslationResult> TranslateAsync(TimedNarration narration, TranslationLanguage language, TemplateOutputKind kind,
        int maxNewTokensLimit, ITranslationProgress? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(narration);
        ArgumentNullException.ThrowIfNull(language);
        var segments = narration.Segments;
        var translated = new NarrationSegment[segments.Count];
        var stats = new List<GenerationStats>(segments.Count);
        var relay = new ProgressRelay(progress);
        for (int k = 0; k < segments.Count; k++)
        {
            var source = segments[k];
            progress?.OnSegmentStarted(source, segments.Count);
            var empty = source with { Text = "", Tags = null, Json = null, Stats = null, Translations = null };
            string text = source.Error is null ? source.DisplayText.Trim() : "";
            NarrationSegment result;
            if (text.Length == 0)
            {
                result = empty with { Error = source.Error ?? "The segment has no narration to translate." };
            }
            else
            {
                try
                {
                    var call = await NarrationCall.RunAsync(engine, null, TranslationPrompt.Build(language, text, kind),
                        TranslationPrompt.GenerationFor(text, maxNewTokensLimit), relay, cancellationToken).ConfigureAwait(false);
                    stats.Add(call.Stats);
                    result = empty with { Text = call.Text.Trim(), Stats = call.Stats };
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (UserInputException ex) when (segments.Count > 1)
                {
                    result = empty with { Error = ex.Message };
                }
            }
            translated[k] = result;
            progress?.OnSegmentCompleted(result, segments.Count);
        }
        if (stats.Count == 0 && segments.Count > 0)
        {
            throw new UserInputException("The narration has no text to translate.");
        }
        logger.LogInformation("Translated {Video} into {Language}: {Segments} segment(s)", narration.Video, language.Code, segments.Count);
        return new TranslationResult
        {
            Language = language,
            Text = Layout(translated, segments.Count > 1 || SegmentationNames.IsSplit(narration.Segmentation)),
            Segments = translated,
            Stats = GenerationStats.Total(stats),
        };
    }

    /// <summary>A long video's translation under the same time headings as its narration; a whole clip's as the bare text.</summary>
    public static string Layout(IReadOnlyList<NarrationSegment> segments, bool withHeadings)
    {
        if (!withHeadings)
        {
            return segments.Count == 0 ? "" : segments[0].Error is null ? segments[0].Text : "";
        }
        var parts = new List<string>(segments.Count);
        foreach (var segment in segments)
        {
            string body = segment.Error is { } error ? PlainTextNarrationWriter.FailedLine(error) : segment.Text;
            parts.Add(PlainTextNarrationWriter.Heading(segment.StartSeconds, segment.EndSeconds) + "\n" + body);
        }
        return string.Join("\n\n", parts);
    }

    /// <summary>Passes the engine call's stages and tokens on; segment starts and ends are said by the translator itself.</summary>
    private sealed class ProgressRelay(ITranslationProgress? progress) : INarrationProgress
    {
        public void OnStage(NarrationStage stage) => progress?.OnStage(stage);

        public void OnToken(string text) => progress?.OnToken(text);
    }
}
