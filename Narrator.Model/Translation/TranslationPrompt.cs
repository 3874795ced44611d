using Narrator.Model.Generation;
using Narrator.Model.Templates;

namespace Narrator.Model.Translation;

/// <summary>
/// The text-only turn that asks the narrating model to translate a narration: names kept as written, the layout kept
/// (so a segment stays a segment and a tag list keeps its items), nothing but the translation in the answer.
/// </summary>
public static class TranslationPrompt
{
    /// <summary>The instruction and the text to translate, as the user message.</summary>
    public static string Build(TranslationLanguage language, string text, TemplateOutputKind kind = TemplateOutputKind.Prose)
    {
        ArgumentNullException.ThrowIfNull(language);
        ArgumentNullException.ThrowIfNull(text);
        string layout = TemplateOutputKinds.Of(kind).TranslationLayout;
        return $"""
            Translate the text below into {language.PromptName}.
            - Write only the translation: no introduction, notes, explanations or quotation marks around it.
            - Keep every name (people, places, brands, titles of works) exactly as it is written in the text.
            {layout}
            - Keep numbers, times and measurements as they are.
            - Translate faithfully: add nothing and leave nothing out.

            Text:
            {text.Trim()}
            """;
    }

    /// <summary>
    /// Greedy, with room for a translation that is longer than its source (Chinese to English roughly doubles the
    /// tokens), capped at <paramref name="maxNewTokensLimit"/>. No repetition penalty: a translation must repeat the
    /// source's names, which a penalty on every prompt token would push the model away from.
    /// </summary>
    public static GenerationOptions GenerationFor(string text, int maxNewTokensLimit) => new()
    {
        MaxNewTokens = Math.Clamp(text.Length * 2 + 64, Math.Min(256, maxNewTokensLimit), maxNewTokensLimit),
        Temperature = 0,
        RepetitionPenalty = 1,
    };
}
