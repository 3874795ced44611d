using Narrator.Web.Localization;

namespace Narrator.Web.Components.Layout;

/// <summary>
/// The visitor's language and theme in a cookie (<c>narrator-ui=zh-dark</c>), readable by the server when it prerenders,
/// so the first byte of the page is already in the right language and palette; the page's script writes it on a change.
/// Without the cookie the language follows the request's Accept-Language and the theme starts light.
/// </summary>
public static class UiPreferenceCookie
{
    public const string Name = "narrator-ui";

    /// <summary>What the cookie (or, without one, the request) says; <c>Saved</c> is false when there was no valid cookie.</summary>
    public static (UiLanguage Language, bool Dark, bool Saved) Read(string? cookie, string? acceptLanguage)
    {
        string[] parts = (cookie ?? "").Split('-');
        if (parts.Length == 2 && parts[0] is "en" or "zh" && parts[1] is "light" or "dark")
        {
            return (parts[0] == "zh" ? UiLanguage.Chinese : UiLanguage.English, parts[1] == "dark", true);
        }
        return (PrefersChinese(acceptLanguage) ? UiLanguage.Chinese : UiLanguage.English, false, false);
    }

    public static string Format(UiLanguage language, bool dark) => (language == UiLanguage.Chinese ? "zh" : "en") + (dark ? "-dark" : "-light");

    // The first language the browser lists decides; "zh-CN;q=0.9" style weights are in list order for every browser.
    private static bool PrefersChinese(string? acceptLanguage) =>
        (acceptLanguage ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) is [var first, ..]
        && first.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
}
