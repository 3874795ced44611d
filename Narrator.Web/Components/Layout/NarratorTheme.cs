using MudBlazor;

namespace Narrator.Web.Components.Layout;

/// <summary>The one theme of the app: a film-night palette and a font stack that renders Chinese well.</summary>
public static class NarratorTheme
{
    // Noto CJK first among the CJK fonts: it is what the Debian image and most Linux desktops have.
    private static readonly string[] FontFamily =
        ["Roboto", "Helvetica Neue", "Arial", "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab",
            Secondary = "#c2185b",
            Tertiary = "#00897b",
            AppbarBackground = "#1a237e",
            Background = "#f5f6fa",
            // MudBlazor's defaults are 2.9-4.45:1 as alert text on their tints and as captions on the background; these are
            // at least 5:1 (axe, WCAG AA 4.5:1), and white button text on them stays readable.
            TextSecondary = "#55565a",
            Warning = "#955a00",
            Success = "#007a3d",
            Error = "#c62828",
            Info = "#1565c0",
        },
        // Dark text on the light dark-theme accents: white on #8c9eff is 2.5:1, #0d1033 on it is 8:1 (WCAG AA wants 4.5:1).
        PaletteDark = new PaletteDark
        {
            Primary = "#8c9eff",
            PrimaryContrastText = "#0d1033",
            Secondary = "#f48fb1",
            SecondaryContrastText = "#2a0614",
            Tertiary = "#4db6ac",
            AppbarBackground = "#121530",
            Background = "#14151c",
            Surface = "#1d1f2a",
            // The default success green is 4.2:1 on its own alert tint.
            Success = "#33c48f",
            SuccessContrastText = "#06251a",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = FontFamily },
        },
    };
}
