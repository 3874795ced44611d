using System.Globalization;
using Microsoft.Playwright;

namespace Narrator.Web.Tests.Browser;

/// <summary>
/// The steps every browser test takes on the workbench page, as a visitor does: wait until it is interactive, upload a
/// clip, ask for few frames and some tokens, narrate, open the history. Timeouts are generous because a shared 2-core
/// box can make an upload wait its turn for ffmpeg.
/// </summary>
public static class WorkbenchPage
{
    private static readonly TimeSpan DefaultPatience = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan UploadPatience = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan NarrationPatience = TimeSpan.FromMinutes(3);

    public static float Ms(TimeSpan span) => (float)span.TotalMilliseconds;

    // Prerendered HTML is visible before the circuit connects; the page marks itself once it is interactive.
    public static Task WaitInteractiveAsync(IPage page, TimeSpan? patience = null) =>
        page.Locator("[data-testid=workbench][data-interactive=true]").WaitForAsync(new() { Timeout = Ms(patience ?? DefaultPatience) });

    public static async Task FillAsync(IPage page, string testId, int value)
    {
        ILocator field = page.Locator($"input[data-testid={testId}]");
        await field.FillAsync(value.ToString(CultureInfo.InvariantCulture));
        await field.BlurAsync();
    }

    /// <summary>Uploads <paramref name="path"/> through the page's file input and waits for the frame strip.</summary>
    public static async Task UploadAsync(IPage page, string path, TimeSpan? patience = null)
    {
        // The file input listens only once Blazor's InputFile script has set it up; a file set before that is never seen.
        await page.WaitForFunctionAsync(
            "() => document.querySelector('[data-testid=clip-upload] input[type=file]')?._blazorInputFileNextFileId !== undefined",
            null, new() { Timeout = Ms(DefaultPatience) });
        await page.SetInputFilesAsync("[data-testid=clip-upload] input[type=file]", path);
        await Assertions.Expect(page.Locator("[data-testid=frame-strip]")).ToBeVisibleAsync(new() { Timeout = Ms(patience ?? UploadPatience) });
    }

    /// <summary>Two to four frames (four shown) and <paramref name="tokens"/> new tokens, set in the advanced settings.</summary>
    public static async Task SetFramesAndTokensAsync(IPage page, int tokens)
    {
        await page.ClickAsync("[data-testid=advanced-settings] .mud-expand-panel-header");
        await FillAsync(page, "setting-min-frames", 2);
        await FillAsync(page, "setting-max-frames", 4);
        await FillAsync(page, "setting-max-new-tokens", tokens);
        await Assertions.Expect(page.Locator("[data-testid=frame-thumb]")).ToHaveCountAsync(4, new() { Timeout = Ms(DefaultPatience) });
    }

    /// <summary>Uploads the clip and narrates it with four frames and <paramref name="tokens"/> tokens; returns the text shown.</summary>
    public static async Task<string> NarrateAsync(IPage page, string clip, int tokens)
    {
        await UploadAsync(page, clip);
        await SetFramesAndTokensAsync(page, tokens);
        await page.ClickAsync("[data-testid=describe]");
        await Assertions.Expect(page.Locator("[data-testid=stats-panel]")).ToBeVisibleAsync(new() { Timeout = Ms(NarrationPatience) });
        return await page.InnerTextAsync("[data-testid=narration-text]");
    }

    public static async Task OpenHistoryAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Tab, new() { NameRegex = new System.Text.RegularExpressions.Regex("History|历史") }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=history-panel]")).ToBeVisibleAsync();
    }
}
