namespace Narrator.Web.Localization;

/// <summary>One piece of content written in both page languages (template names, example titles).</summary>
public sealed record LocalizedText(string English, string Chinese)
{
    /// <summary>The text in <paramref name="language"/>, falling back to the other language when that one is empty.</summary>
    public string For(UiLanguage language) => language == UiLanguage.Chinese
        ? (string.IsNullOrWhiteSpace(Chinese) ? English : Chinese)
        : (string.IsNullOrWhiteSpace(English) ? Chinese : English);
}
