using Narrator.Web.Localization;

namespace Narrator.Web.Components.Layout;

/// <summary>
/// The visitor's page language and theme for this circuit (scoped). The root component starts it from the preference
/// cookie the page's request carried, so prerendering already uses it; the layout cascades it, the page changes it from
/// the header, and the layout re-renders with the new text and palette and saves the cookie.
/// </summary>
public sealed class UiPreferences
{
    /// <summary>True when the cookie held a choice; false on a first visit (the layout then asks the browser for its colour scheme).</summary>
    public bool Saved { get; private set; }

    /// <summary>Called once by the root component with what the request said; not counted as a change.</summary>
    public void Start(UiLanguage language, bool isDarkMode, bool saved)
    {
        Language = language;
        IsDarkMode = isDarkMode;
        Saved = saved;
    }

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
