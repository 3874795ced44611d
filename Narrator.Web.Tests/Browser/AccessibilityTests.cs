using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using static Narrator.Web.Tests.Browser.WorkbenchPage;

namespace Narrator.Web.Tests.Browser;

/// <summary>
/// axe-core (kept in TestData/axe) run in Chromium on the page's states — empty, narrated, the history, the "Use via API"
/// dialog and a shared page — in light and dark, English and 中文: no serious or critical violation anywhere.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(NarratorSite site, ChromiumBrowser chromium) : IAsyncLifetime
{
    // Every combination, reached from the one before with a single toggle.
    private static readonly (string Language, string Theme, string Toggle)[] Looks =
    [
        ("en", "light", ""),
        ("en", "dark", "theme-toggle"),
        ("zh", "dark", "language-toggle"),
        ("zh", "light", "theme-toggle"),
    ];

    private IBrowserContext? _context;
    private string? _clip;

    public async Task InitializeAsync()
    {
        _clip = await SynthesizedClip.VideoAsync(site.WorkFolder, $"axe-{Guid.NewGuid():N}.mp4", seconds: 2);
        _context = await chromium.NewVisitorAsync(1440, 900);
        // An init script is injected by the browser itself, so the page's Content-Security-Policy does not refuse it.
        string axe = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "TestData", "axe", "axe.min.js"));
        await _context.AddInitScriptAsync(axe);
    }

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.DisposeAsync();
        }
    }

    [Fact]
    public async Task EveryStateOfThePageHasNoSeriousOrCriticalViolationInLightAndDarkEnglishAndChinese()
    {
        IPage page = await _context!.NewPageAsync();
        await page.GotoAsync(site.BaseUrl);
        await WaitInteractiveAsync(page);
        var found = new StringBuilder();

        await ForEachLookAsync(page, found, "empty page");

        await NarrateAsync(page, _clip!, tokens: 16);
        await ForEachLookAsync(page, found, "narrated");

        await page.ClickAsync("[data-testid=share]");
        string shareUrl = (await page.Locator("[data-testid=share-url]").TextContentAsync())!.Trim();
        await page.GetByRole(AriaRole.Tab, new() { NameRegex = new System.Text.RegularExpressions.Regex("History|历史") }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=history-text]")).ToHaveCountAsync(1);
        await ForEachLookAsync(page, found, "history");

        await page.GetByRole(AriaRole.Tab, new() { NameRegex = new System.Text.RegularExpressions.Regex("Describe|描述") }).ClickAsync();
        // The dialog's overlay covers the toggles: it is opened in each look and closed before the next toggle.
        await ForEachLookAsync(page, found, "Use via API dialog", async () =>
        {
            await page.ClickAsync("[data-testid=use-api]");
            await Assertions.Expect(page.Locator("[data-testid=api-curl]")).ToBeVisibleAsync();
        }, async () =>
        {
            await page.ClickAsync("[data-testid=api-close]");
            await Assertions.Expect(page.Locator("[data-testid=api-curl]")).ToHaveCountAsync(0);
        });

        IPage shared = await _context.NewPageAsync();
        await shared.GotoAsync(shareUrl);
        await Assertions.Expect(shared.Locator("[data-testid=shared-page] [data-testid=narration-text]")).Not.ToBeEmptyAsync();
        // Once the circuit has started: while it starts, the head outlet swaps the prerendered <title> for its own.
        await shared.Locator("[data-testid=shared-page][data-interactive=true]").WaitForAsync();
        await CheckAsync(shared, found, "shared page");

        Assert.True(found.Length == 0, "axe found serious or critical violations:\n" + found);
    }

    /// <summary>Checks the page as it is in each language and theme, leaving it in the first one again.</summary>
    private static async Task ForEachLookAsync(IPage page, StringBuilder found, string state, Func<Task>? open = null, Func<Task>? close = null)
    {
        foreach ((string language, string theme, string toggle) in Looks)
        {
            if (toggle.Length > 0)
            {
                await page.ClickAsync($"[data-testid={toggle}]");
            }
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language == "zh" ? "zh-CN" : "en");
            // The palette changes colour with a transition: measure the colours it ends at.
            await page.WaitForTimeoutAsync(400);
            if (open is not null)
            {
                await open();
                await page.WaitForTimeoutAsync(400);
            }
            await CheckAsync(page, found, $"{state} ({language} {theme})");
            if (close is not null)
            {
                await close();
            }
        }
        // Back to English and light for the next state.
        await page.ClickAsync("[data-testid=language-toggle]");
        await page.WaitForTimeoutAsync(400);
    }

    private static async Task CheckAsync(IPage page, StringBuilder found, string state)
    {
        JsonElement violations = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                             nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 200)) }));
            }
            """);
        foreach (JsonElement violation in violations.EnumerateArray())
        {
            found.AppendLine(CultureInfo.InvariantCulture, $"[{state}] {violation.GetProperty("impact").GetString()} {violation.GetProperty("id").GetString()}: {violation.GetProperty("help").GetString()}");
            foreach (JsonElement node in violation.GetProperty("nodes").EnumerateArray())
            {
                found.AppendLine(CultureInfo.InvariantCulture, $"    {node.GetString()}");
            }
        }
    }
}
