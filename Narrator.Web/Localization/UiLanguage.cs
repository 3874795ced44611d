namespace Narrator.Web.Localization;

/// <summary>The two languages every label on the page exists in.</summary>
public enum UiLanguage
{
    English,
    Chinese,
}

public static class UiLanguageTags
{
    /// <summary>The BCP 47 tag for the html lang attribute ("en", "zh-CN").</summary>
    public static string Tag(this UiLanguage language) => UiText.For(language).LanguageTag;
}
