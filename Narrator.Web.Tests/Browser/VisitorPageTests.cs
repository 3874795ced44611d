using Microsoft.Playwright;
using static Narrator.Web.Tests.Browser.WorkbenchPage;

namespace Narrator.Web.Tests.Browser;

/// <summary>
/// The page in Chromium as a visitor lives with it: under the Content-Security-Policy with nothing refused, and with a
/// history that belongs to the visitor (their cookie), so it survives a reload and shows in another tab, but never
/// to another visitor.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class VisitorPageTests(NarratorSite site, ChromiumBrowser chromium) : IAsyncLifetime
{
    // Installed before any page script runs: every CSP violation the document reports is kept for the test to read.
    private const string RecordViolations = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e =>
          window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '')));
        """;

    private readonly List<IBrowserContext> _contexts = [];
    private string? _clip;

    public async Task InitializeAsync() =>
        _clip = await SynthesizedClip.VideoAsync(site.WorkFolder, $"visitor-{Guid.NewGuid():N}.mp4", seconds: 2);

    public async Task DisposeAsync()
    {
        foreach (IBrowserContext context in _contexts)
        {
            await context.DisposeAsync();
        }
    }

    [Fact]
    public async Task ThePageWorksUnderTheContentSecurityPolicyAndTheBrowserRefusesNothing()
    {
        IBrowserContext context = await NewVisitorAsync();
        IPage page = await context.NewPageAsync();
        var consoleViolations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                consoleViolations.Add(message.Text);
            }
        };

        IResponse? response = await page.GotoAsync(site.BaseUrl);
        await WaitInteractiveAsync(page);
        await NarrateAsync(page, _clip!, tokens: 12);
        await page.ClickAsync("[data-testid=language-toggle]");
        await page.ClickAsync("[data-testid=theme-toggle]");
        await page.ClickAsync("[data-testid=download-menu] button");
        IDownload download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-testid=download-settings]"));
        await page.ReloadAsync();
        await WaitInteractiveAsync(page);

        string policy = (await response!.AllHeadersAsync())["content-security-policy"];
        Assert.Contains("script-src 'self' 'nonce-", policy);
        Assert.NotNull(await download.PathAsync());
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.__cspViolations"));
        Assert.Empty(consoleViolations);
    }

    [Fact]
    public async Task AVisitorsHistorySurvivesAReloadAndShowsInAnotherTabButNotToAnotherVisitorAndADeleteInOneTabLeavesTheOther()
    {
        IBrowserContext visitor = await NewVisitorAsync();
        IPage page = await visitor.NewPageAsync();
        await page.GotoAsync(site.BaseUrl);
        await WaitInteractiveAsync(page);
        string text = await NarrateAsync(page, _clip!, tokens: 12);

        await page.ReloadAsync();
        await WaitInteractiveAsync(page);
        IPage otherTab = await visitor.NewPageAsync();
        await otherTab.GotoAsync(site.BaseUrl);
        await WaitInteractiveAsync(otherTab);
        IBrowserContext stranger = await NewVisitorAsync();
        IPage strangerPage = await stranger.NewPageAsync();
        await strangerPage.GotoAsync(site.BaseUrl);
        await WaitInteractiveAsync(strangerPage);

        foreach (IPage own in new[] { page, otherTab })
        {
            // The workspace too: the reloaded page and the new tab open on the clip and the narration, not an empty page.
            await Assertions.Expect(own.Locator("[data-testid=narration-text]")).ToHaveTextAsync(text);
            await Assertions.Expect(own.Locator("[data-testid=frame-thumb]")).ToHaveCountAsync(4);
            await OpenHistoryAsync(own);
            await Assertions.Expect(own.Locator("[data-testid=history-text]").First).ToHaveTextAsync(text.Trim());
        }
        await OpenHistoryAsync(strangerPage);
        await Assertions.Expect(strangerPage.Locator("[data-testid=history-empty]")).ToBeVisibleAsync();

        // Deleted in one tab, it leaves the other one's history at once, without a reload.
        await page.Locator("[data-testid=history-delete]").First.ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^(Delete|删除)$") }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=history-empty]")).ToBeVisibleAsync();
        await Assertions.Expect(otherTab.Locator("[data-testid=history-empty]")).ToBeVisibleAsync();
    }

    private async Task<IBrowserContext> NewVisitorAsync()
    {
        IBrowserContext context = await chromium.NewVisitorAsync();
        await context.AddInitScriptAsync(RecordViolations);
        _contexts.Add(context);
        return context;
    }
}
