namespace Narrator.Model.Translation;

/// <summary>A language a narration can be translated into: its code, its name in both UI languages, and its own name.</summary>
public sealed record TranslationLanguage(string Code, string English, string Chinese, string Native)
{
    /// <summary>How the instruction names the language to the model, e.g. "French (français)".</summary>
    public string PromptName => Native == English ? English : $"{English} ({Native})";

    /// <summary>The name for a page in <paramref name="uiLanguageTag"/> ("zh…" gives Chinese, anything else English).</summary>
    public string NameFor(string uiLanguageTag) =>
        uiLanguageTag.StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? Chinese : English;
}
