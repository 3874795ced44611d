using Microsoft.Playwright;
using Narrator.Web.Services.History;
using Narrator.Web.Tests.Services;
using static Narrator.Web.Tests.Browser.WorkbenchPage;

namespace Narrator.Web.Tests.Browser;

/// <summary>
/// The page across a server restart, with the real server process (the tiny demo model) stopped and started again on
/// the same data folder and port while the browser tab stays open: the tab reconnects by itself (the notice never hides
/// the text), and the visitor finds their clip, settings, narration and history again.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RestartPageTests(ChromiumBrowser chromium, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Narrator:RateLimits:UploadsPerMinute"] = "1000",
        ["Narrator:RateLimits:StartsPerMinute"] = "1000",
        ["Narrator:History:CheckpointSeconds"] = "0.2",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };

    private readonly string _data = Directory.CreateTempSubdirectory("narrator-restart-").FullName;
    private readonly List<ServerProcess> _servers = [];
    private IBrowserContext? _context;
    private string _clip = "";

    public async Task InitializeAsync()
    {
        _clip = await SynthesizedClip.VideoAsync(_data, "restart-clip.mp4", seconds: 2);
        _context = await chromium.NewVisitorAsync(1440, 900);
        // A failing run shows what the browser complained about.
        _context.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                output.WriteLine($"console: {message.Text}");
            }
        };
    }

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.DisposeAsync();
        }
        foreach (ServerProcess server in _servers)
        {
            await server.DisposeAsync();
        }
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A file a dying process still held; the OS temp cleaner gets it.
        }
    }

    [Fact]
    public async Task AfterARestartTheOpenTabReloadsItselfWithTheClipSettingsFinishedNarrationAndHistory()
    {
        ServerProcess first = await StartAsync(port: 0);
        IPage page = await _context!.NewPageAsync();
        await page.GotoAsync(first.BaseAddress.ToString());
        await WaitInteractiveAsync(page, Patience);
        await UploadAsync(page, _clip, Patience);
        await SetFramesAndTokensAsync(page, tokens: 12);
        await page.ClickAsync("[data-testid=describe]");
        await Assertions.Expect(page.Locator("[data-testid=stats-panel]")).ToBeVisibleAsync(new() { Timeout = Ms(Patience) });
        string text = await page.InnerTextAsync("[data-testid=narration-text]");
        Assert.NotEmpty(text.Trim());

        // Marks this document: the new one after the reload will not have it.
        await page.EvaluateAsync("() => window.__beforeRestart = true");
        await first.StopAsync();
        // The notice is a bar, not a modal: while the server is away the text stays visible and on top.
        ILocator notice = page.Locator("[data-testid=reconnect-notice]");
        await Assertions.Expect(notice).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.True(await IsUncoveredAsync(page, "[data-testid=narration-text]"), "The reconnect notice covers the narration.");
        await StartAsync(first.Port);

        // No reload by the test: the tab notices the new server and reloads into the saved workspace.
        await page.WaitForFunctionAsync("() => window.__beforeRestart === undefined && document.readyState === 'complete'", null,
            new() { Timeout = Ms(Patience) });
        await Assertions.Expect(page.Locator("[data-testid=narration-text]")).ToHaveTextAsync(text, new() { Timeout = Ms(Patience) });
        await WaitInteractiveAsync(page, Patience);
        await Assertions.Expect(notice).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("[data-testid=clip-preview]")).ToContainTextAsync("restart-clip.mp4");
        await Assertions.Expect(page.Locator("[data-testid=frame-thumb]")).ToHaveCountAsync(4);
        ILocator maxTokens = page.Locator("input[data-testid=setting-max-new-tokens]");
        if (!await maxTokens.IsVisibleAsync())
        {
            await page.ClickAsync("[data-testid=advanced-settings] .mud-expand-panel-header");
        }
        await Assertions.Expect(maxTokens).ToHaveValueAsync("12");
        await Assertions.Expect(page.Locator("[data-testid=stats-panel]")).ToBeVisibleAsync();
        await OpenHistoryAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=history-text]")).ToHaveTextAsync([text.Trim()]);
    }

    [Fact]
    public async Task ANarrationRunningWhenTheServerIsKilledComesBackInterruptedWithItsTextInTheSameTab()
    {
        ServerProcess first = await StartAsync(port: 0);
        IPage page = await _context!.NewPageAsync();
        await page.GotoAsync(first.BaseAddress.ToString());
        await WaitInteractiveAsync(page, Patience);
        await UploadAsync(page, _clip, Patience);
        await SetFramesAndTokensAsync(page, tokens: 2048);
        await page.ClickAsync("[data-testid=describe]");
        ILocator text = page.Locator("[data-testid=narration-text]");
        await page.WaitForFunctionAsync("() => (document.querySelector('[data-testid=narration-text]')?.textContent.length ?? 0) > 40",
            null, new() { Timeout = Ms(Patience) });
        await Assertions.Expect(page.Locator("[data-testid=stop]")).ToBeEnabledAsync();
        // Long enough for a checkpoint to reach the disk (every 0.2 s here), as it would on any server left running for a moment.
        await page.WaitForTimeoutAsync(600);
        string seen = await text.TextContentAsync() ?? "";

        await first.KillAsync();
        await StartAsync(first.Port);

        ILocator error = page.Locator("[data-testid=narration-error]");
        await Assertions.Expect(error).ToContainTextAsync(NarrationHistory.InterruptedWhileRunning, new() { Timeout = Ms(Patience) });
        await WaitInteractiveAsync(page, Patience);
        string kept = await text.TextContentAsync() ?? "";
        Assert.True(kept.Length > 0, "The interrupted narration came back without its text.");
        // The text the page had shown and the text the last checkpoint kept are the same narration, one a prefix of the other.
        Assert.True(kept.StartsWith(seen.TrimEnd(), StringComparison.Ordinal) || seen.StartsWith(kept.TrimEnd(), StringComparison.Ordinal),
            $"Kept \"{Start(kept)}\" is not the narration that was showing (\"{Start(seen)}\").");
        await Assertions.Expect(page.Locator("[data-testid=describe]")).ToBeEnabledAsync();
        await Assertions.Expect(page.Locator("[data-testid=stop]")).ToBeDisabledAsync();
        await OpenHistoryAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=history-interrupted]")).ToHaveCountAsync(1);
    }

    private async Task<ServerProcess> StartAsync(int port)
    {
        // Development: the test output has the static web assets manifest but not a published wwwroot, and only the
        // Development host serves the page's scripts and styles from it.
        ServerProcess server = await ServerProcess.StartAsync(_data, Settings, port, environment: "Development");
        _servers.Add(server);
        return server;
    }

    /// <summary>True when the element's middle is what the browser would hit there (nothing drawn over it).</summary>
    private static Task<bool> IsUncoveredAsync(IPage page, string selector) => page.EvaluateAsync<bool>("""
        selector => {
          const element = document.querySelector(selector);
          const box = element.getBoundingClientRect();
          const hit = document.elementFromPoint(box.left + Math.min(box.width / 2, 40), box.top + Math.min(box.height / 2, 10));
          return hit !== null && (element === hit || element.contains(hit));
        }
        """, selector);

    private static async Task OpenHistoryAsync(IPage page)
    {
        ILocator tab = page.GetByRole(AriaRole.Tab, new() { NameRegex = new System.Text.RegularExpressions.Regex("History|历史") });
        // The count on the tab comes with the live page's first history read: after it, a click is not lost to a re-render.
        await Assertions.Expect(tab.GetByRole(AriaRole.Status)).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await WorkbenchPage.OpenHistoryAsync(page);
    }

    private static string Start(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
