using Narrator.Web.Localization;

namespace Narrator.Web.Components.Layout;

/// <summary>
/// The visitor's page language and theme for this circuit. The layout owns it and cascades it; the page changes it
/// from the header, and the layout re-renders with the new text and palette.
/// </summary>
public sealed class UiPreferences
{
    public UiLanguage Language { get; private set; } = UiLanguage.English;

    public bool IsDarkMode { get; private set; }

    public UiText Text => UiText.For(Language);

    /// <summary>How many times language or theme changed; lets the layout tell whether the visitor chose while it waited for the browser.</summary>
    public int Changes { get; private set; }

    public event Action? Changed;

    public void SetLanguage(UiLanguage language)
    {
        if (language != Language)
        {
            Language = language;
            Changes++;
            Changed?.Invoke();
        }
    }

    public void SetDarkMode(bool isDarkMode)
    {
        if (isDarkMode != IsDarkMode)
        {
            IsDarkMode = isDarkMode;
            Changes++;
            Changed?.Invoke();
        }
    }
}
