namespace Narrator.Web.Localization;

/// <summary>The two languages every label on the page exists in.</summary>
public enum UiLanguage
{
    English,
    Chinese,
}
