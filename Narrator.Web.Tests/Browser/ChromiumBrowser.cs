using Microsoft.Playwright;

namespace Narrator.Web.Tests.Browser;

/// <summary>Debian's Chromium driven by Playwright; never a downloaded browser.</summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"Browser tests need Chromium at {ExecutablePath} (apt-get install chromium); .ci/run installs it.");
        }
        // Expectations poll until they hold: 5 s (Playwright's default) was too short on a CI box under load (a note that
        // follows a server round trip missed it once); a failing expectation just fails later.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Flags,
        });
    }

    /// <summary>A fresh visitor: own cookies, own circuit, a desktop-sized window unless told otherwise.</summary>
    public Task<IBrowserContext> NewVisitorAsync(int width = 1400, int height = 1000) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
            AcceptDownloads = true,
        });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}
