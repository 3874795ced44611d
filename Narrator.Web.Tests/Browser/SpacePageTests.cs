using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Narrator.Web.Tests.Browser.WorkbenchPage;

namespace Narrator.Web.Tests.Browser;

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<NarratorSite>, ICollectionFixture<ChromiumBrowser>
{
    public const string Name = "Browser";
}

/// <summary>
/// The page in Debian's Chromium against the app with the tiny model: upload, frame strip, template, streaming, stats,
/// stop, a refused file, the language toggle and a second visitor's queue position. Screenshots go to
/// <c>NARRATOR_SCREENSHOTS</c> when that variable names a folder.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SpacePageTests(NarratorSite site, ChromiumBrowser chromium, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan NarrationTimeout = TimeSpan.FromMinutes(3);

    // Records every change of the narration text with a wall-clock timestamp, and the moment Describe is clicked.
    private const string InstallTextRecorder = """
        () => {
          window.__narratorMarks = [];
          window.__narratorClick = null;
          const now = () => performance.timeOrigin + performance.now();
          const output = document.querySelector('[data-testid=narration-output]');
          const record = () => {
            const text = document.querySelector('[data-testid=narration-text]');
            const length = text ? text.textContent.length : 0;
            const marks = window.__narratorMarks;
            if (marks.length === 0 || marks[marks.length - 1].length !== length) marks.push({ time: now(), length });
          };
          new MutationObserver(record).observe(output, { subtree: true, childList: true, characterData: true });
          document.addEventListener('click', e => {
            if (e.target.closest('[data-testid=describe]')) window.__narratorClick = now();
          }, true);
        }
        """;

    private readonly List<IBrowserContext> _contexts = [];
    private string? _clip;

    public async Task InitializeAsync() =>
        _clip = await SynthesizedClip.VideoAsync(site.WorkFolder, $"pattern-{Guid.NewGuid():N}.mp4", seconds: 4);

    public async Task DisposeAsync()
    {
        // The last state of every page, for looking at a failure; only when screenshots are asked for.
        string? folder = Environment.GetEnvironmentVariable("NARRATOR_SCREENSHOTS");
        int n = 0;
        foreach (IBrowserContext context in _contexts)
        {
            foreach (IPage page in context.Pages)
            {
                if (!string.IsNullOrEmpty(folder))
                {
                    await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"last-{GetType().Name}-{n++}.png"), FullPage = true });
                }
            }
            await context.DisposeAsync();
        }
    }

    [Fact]
    public async Task UploadPlanTemplateDescribeStreamsTextAndShowsStats()
    {
        IPage page = await OpenAsync();

        await UploadAsync(page, _clip!);
        // 4 s at 25 fps sampled at 2 fps is 8 frames, raised to the 16-frame minimum.
        await Assertions.Expect(page.Locator("[data-testid=frame-thumb]")).ToHaveCountAsync(16);
        await Assertions.Expect(page.Locator("[data-testid=frame-count]")).ToHaveTextAsync("16 frames");
        await Screenshot(page, "clip-and-frames");

        await page.ClickAsync("[data-template=description-en]");
        await Assertions.Expect(page.Locator("[data-template=description-en]")).ToHaveAttributeAsync("aria-checked", "true");
        await page.EvaluateAsync(InstallTextRecorder);
        await page.ClickAsync("[data-testid=describe]");
        await Screenshot(page, "streaming", waitFor: "[data-testid=narration-text]");

        await Assertions.Expect(page.Locator("[data-testid=stats-panel]")).ToBeVisibleAsync(new() { Timeout = (float)NarrationTimeout.TotalMilliseconds });
        await Assertions.Expect(page.Locator("[data-testid=stat-tokens]")).Not.ToBeEmptyAsync();
        await page.Locator("[data-testid=stats-panel]").ScrollIntoViewIfNeededAsync();
        await Screenshot(page, "completed");
        output.WriteLine("stats: " + await page.InnerTextAsync("[data-testid=stats-panel]"));

        TextMark[] shown = await ShownTextAsync(page);
        int growing = shown.Count(mark => mark.Length > 0);
        Assert.True(growing >= 3, $"The text grew in only {growing} observed steps.");
        Assert.Equal(shown.Select(mark => mark.Length).Order(), shown.Select(mark => mark.Length));

        double click = await page.EvaluateAsync<double>("() => window.__narratorClick");
        double firstToken = shown.First(mark => mark.Length > 0).UnixMilliseconds - click;
        IReadOnlyList<double> latencies = TokenLatency.Match(site.LatestGenerated, shown);
        Assert.NotEmpty(latencies);
        Report("click_to_first_token_ms", firstToken);
        Report("token_to_dom_p50_ms", TokenLatency.Percentile(latencies, 50));
        Report("token_to_dom_p95_ms", TokenLatency.Percentile(latencies, 95));
        Report("tokens_matched", latencies.Count);
    }

    [Fact]
    public async Task AClipsSubtitleLinesShowWithTheirTimesAndCanBeSwitchedOff()
    {
        string clip = await SynthesizedClip.VideoWithSubtitlesAsync(site.WorkFolder, $"talk-{Guid.NewGuid():N}.mp4", seconds: 4,
            "1\n00:00:00,500 --> 00:00:01,500\nWhere were you?\n\n2\n00:00:02,000 --> 00:00:03,000\n在家。\n");
        IPage page = await OpenAsync();

        await UploadAsync(page, clip);

        ILocator lines = page.Locator("[data-testid=subtitle-line]");
        await Assertions.Expect(lines).ToHaveCountAsync(2, new() { Timeout = 60_000 });
        await Assertions.Expect(lines.Nth(0)).ToContainTextAsync("0:00.5");
        await Assertions.Expect(lines.Nth(0)).ToContainTextAsync("Where were you?");
        await Assertions.Expect(lines.Nth(1)).ToContainTextAsync("在家。");
        await Assertions.Expect(page.Locator("[data-testid=subtitles-source]")).ToContainTextAsync("stream 1 (mov_text)");
        await page.Locator("[data-testid=subtitle-lines]").ScrollIntoViewIfNeededAsync();
        await Screenshot(page, "subtitle-lines");

        await page.Locator("[data-testid=subtitle-lines] label:has(input[data-testid=subtitles-switch])").ClickAsync();

        await Assertions.Expect(lines).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=subtitles-off]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("input[data-testid=subtitles-switch]")).Not.ToBeCheckedAsync();
    }

    [Fact]
    public async Task StopCancelsTheNarrationAndKeepsTheTextSoFar()
    {
        IPage page = await OpenAsync();
        await UploadAsync(page, _clip!);
        // Four frames reach the first token sooner; 2048 tokens (the server's limit) keep the model busy long enough to act.
        await SetFramesAndTokensAsync(page, tokens: 2048);

        await page.ClickAsync("[data-testid=describe]");
        await Assertions.Expect(page.Locator("[data-testid=narration-text]")).Not.ToBeEmptyAsync(new() { Timeout = (float)NarrationTimeout.TotalMilliseconds });
        await page.ClickAsync("[data-testid=stop]");

        await Assertions.Expect(page.Locator("[data-testid=narration-stopped]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("[data-testid=describe]")).ToBeEnabledAsync();
        Assert.NotEmpty(await page.InnerTextAsync("[data-testid=narration-text]"));
    }

    [Fact]
    public async Task AFileThatIsNotMediaShowsTheServersSentence()
    {
        IPage page = await OpenAsync();

        await page.SetInputFilesAsync("[data-testid=clip-upload] input[type=file]", SynthesizedClip.NotAVideo(site.WorkFolder, "notes.mp4"));

        ILocator error = page.Locator("[data-testid=upload-error]");
        await Assertions.Expect(error).ToBeVisibleAsync(new() { Timeout = 30_000 });
        string sentence = await error.InnerTextAsync();
        Assert.Contains("notes.mp4", sentence);
        Assert.DoesNotContain("Exception", sentence);
        await Screenshot(page, "upload-error");
        await Assertions.Expect(page.Locator("[data-testid=frame-strip]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task LanguageToggleChangesTheLabels()
    {
        IPage page = await OpenAsync();
        await Assertions.Expect(page.Locator("[data-testid=describe]")).ToHaveTextAsync("Describe");

        await page.ClickAsync("[data-testid=language-toggle]");

        await Assertions.Expect(page.Locator("[data-testid=describe]")).ToHaveTextAsync("开始描述");
        await Assertions.Expect(page.Locator("[data-testid=demo-banner]")).ToContainTextAsync("随机权重");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await page.ClickAsync("[data-testid=theme-toggle]");
        await Assertions.Expect(page.Locator("[data-testid=theme-toggle]")).ToHaveAttributeAsync("aria-label", "浅色主题");
        await page.WaitForTimeoutAsync(500); // let the palette's colour transitions finish before the picture
        await Screenshot(page, "chinese-dark");

        // The choice is kept in the browser: a reload comes back in Chinese.
        await page.ReloadAsync();
        await WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=describe]")).ToHaveTextAsync("开始描述");

        await page.ClickAsync("[data-testid=language-toggle]");
        await Assertions.Expect(page.Locator("[data-testid=describe]")).ToHaveTextAsync("Describe");
    }

    [Fact]
    public async Task ASecondVisitorIsToldTheirQueuePosition()
    {
        IPage first = await OpenAsync();
        IPage second = await OpenAsync();
        await UploadAsync(first, _clip!);
        await UploadAsync(second, _clip!);
        await SetFramesAndTokensAsync(first, tokens: 2048);

        await first.ClickAsync("[data-testid=describe]");
        await Assertions.Expect(first.Locator("[data-testid=stage]")).ToBeVisibleAsync(new() { Timeout = (float)NarrationTimeout.TotalMilliseconds });
        await second.ClickAsync("[data-testid=describe]");

        ILocator position = second.Locator("[data-testid=queue-position]");
        await Assertions.Expect(position).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(position).ToContainTextAsync("queue");
        await Screenshot(second, "queued");

        await first.ClickAsync("[data-testid=stop]");
        await second.ClickAsync("[data-testid=stop]");
        await Assertions.Expect(second.Locator("[data-testid=describe]")).ToBeEnabledAsync(new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task AnExampleLoadsItsClipAndSuggestedTemplate()
    {
        IPage page = await OpenAsync();

        await page.ClickAsync("[data-example=city] [data-testid=try-example]");

        await Assertions.Expect(page.Locator("[data-testid=frame-strip]")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("[data-template=t2v-prompt]")).ToHaveAttributeAsync("aria-checked", "true");
        await Assertions.Expect(page.Locator("[data-testid=clip-preview]")).ToContainTextAsync("city.mp4");
        Assert.True(await page.Locator("[data-testid=frame-thumb]").CountAsync() >= 2);
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Screenshot(page, "example");
    }

    [Fact]
    public async Task OnAPhoneThePageStacksIntoOneColumn()
    {
        IBrowserContext phone = await chromium.NewVisitorAsync(390, 844);
        _contexts.Add(phone);
        IPage page = await phone.NewPageAsync();
        await page.GotoAsync(site.BaseUrl);
        await WaitInteractiveAsync(page);
        await UploadAsync(page, _clip!);

        LocatorBoundingBoxResult upload = (await page.Locator("[data-testid=clip-upload]").BoundingBoxAsync())!;
        LocatorBoundingBoxResult describe = (await page.Locator("[data-testid=describe]").BoundingBoxAsync())!;
        Assert.True(describe.Y > upload.Y + upload.Height, "On a phone the describe controls come below the upload.");
        float pageWidth = await page.EvaluateAsync<float>("() => document.documentElement.scrollWidth");
        Assert.True(pageWidth <= 390, $"The page is {pageWidth}px wide on a 390px screen.");
        await Screenshot(page, "phone", fullPage: true);
    }

    [Fact]
    public async Task ALongClipShowsItsSegmentsOnATimelineClickingOneSeeksThePreviewAndItExportsAsSubtitles()
    {
        IPage page = await OpenAsync();
        await UploadAsync(page, await Services.TestClips.ThreeShotsMp4Async());
        // Split in the background since the upload: the plan is on a timeline before anything is narrated.
        await Assertions.Expect(page.Locator("[data-testid=segment-plan]")).ToContainTextAsync("3 segments", new() { Timeout = 60_000 });
        await Screenshot(page, "long-video-plan", fullPage: true);
        await page.ClickAsync("[data-testid=advanced-settings] .mud-expand-panel-header");
        await FillAsync(page, "setting-min-frames", 2);
        await FillAsync(page, "setting-max-frames", 4);
        await FillAsync(page, "setting-max-new-tokens", 24);

        await page.ClickAsync("[data-testid=describe]");

        // The whole plan appears before the narration is done: three shots, three segments, narrated one by one.
        ILocator blocks = page.Locator("[data-testid=segment-block]");
        await Assertions.Expect(blocks).ToHaveCountAsync(3, new() { Timeout = (float)NarrationTimeout.TotalMilliseconds });
        await Assertions.Expect(page.Locator("[data-testid=stats-panel]")).ToBeVisibleAsync(new() { Timeout = (float)NarrationTimeout.TotalMilliseconds });
        await Assertions.Expect(page.Locator("[data-testid=segment-pending]")).ToHaveCountAsync(0);
        // Each segment's text once, under its own range (no joined copy of the same text beside it).
        ILocator items = page.Locator("[data-testid=segment-item]");
        await Assertions.Expect(items).ToHaveCountAsync(3);
        await Assertions.Expect(items.Nth(1).Locator("[data-testid=segment-select]")).ToContainTextAsync("0:25.0 – 0:55.0");
        await Assertions.Expect(page.Locator("[data-testid=segment-text]")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("[data-testid=narration-text]")).ToHaveCountAsync(0);

        await blocks.Nth(1).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=segment-item]").Nth(1)).ToHaveAttributeAsync("data-selected", "true");
        await page.WaitForFunctionAsync("() => Math.abs(document.querySelector('[data-testid=preview-video]').currentTime - 25) < 0.5");
        await page.Locator("[data-testid=segment-timeline]").ScrollIntoViewIfNeededAsync();
        await Screenshot(page, "long-video-segments", fullPage: true);

        await page.ClickAsync("[data-testid=download-menu] button");
        ILocator srtLink = page.Locator("[data-testid=download-srt]");
        await Assertions.Expect(srtLink).ToHaveAttributeAsync("download", "narration-three-shots-cinematic-zh.srt");
        string href = (await srtLink.GetAttributeAsync("href"))!;
        IAPIResponse srt = await page.APIRequest.GetAsync(new Uri(new Uri(page.Url), href).ToString());
        Assert.True(srt.Ok, $"{href} answered {srt.Status}");
        string subtitles = await srt.TextAsync();
        Assert.StartsWith("1\n00:00:00,000 --> ", subtitles, StringComparison.Ordinal);
        Assert.Contains("--> 00:01:15,000", subtitles, StringComparison.Ordinal);
        await page.Keyboard.PressAsync("Escape");

        // Fixed-length splitting instead: 0-30, 30-60, 60-75 s.
        await page.ClickAsync("[data-testid=split-mode]");
        await page.GetByRole(AriaRole.Option, new() { Name = "Every 30 s" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=long-video-note]")).ToContainTextAsync("30 s segments");
        await page.ClickAsync("[data-testid=describe]");
        // The first run's text and stats are still on screen until the new run replaces them: wait for the new text.
        await Assertions.Expect(items.Nth(2).Locator("[data-testid=segment-select]"))
            .ToContainTextAsync("1:00.0 – 1:15.0", new() { Timeout = (float)NarrationTimeout.TotalMilliseconds });
        await Assertions.Expect(page.Locator("[data-testid=stats-panel]")).ToBeVisibleAsync(new() { Timeout = (float)NarrationTimeout.TotalMilliseconds });
        await Assertions.Expect(blocks).ToHaveCountAsync(3);
        string[] fixedRanges = ["0:00.0 – 0:30.0", "0:30.0 – 1:00.0", "1:00.0 – 1:15.0"];
        for (int k = 0; k < fixedRanges.Length; k++)
        {
            await Assertions.Expect(blocks.Nth(k)).ToHaveAttributeAsync("title", fixedRanges[k]);
        }
    }

    [Fact]
    public async Task ALongVideoPageStaysWithinAFewScreensAndASegmentClickBringsThePlayerAndItsTextIntoView()
    {
        IPage page = await OpenAsync(1440, 900);
        await UploadAsync(page, await Services.TestClips.ThreeShotsMp4Async());
        ILocator timeline = page.Locator(".narrator-clip-column [data-testid=segment-timeline]");
        await Assertions.Expect(timeline).ToBeVisibleAsync(new() { Timeout = 60_000 });
        float timelineBefore = (await timeline.BoundingBoxAsync())!.X;
        await page.ClickAsync("[data-testid=advanced-settings] .mud-expand-panel-header");
        await FillAsync(page, "setting-min-frames", 2);
        await FillAsync(page, "setting-max-frames", 4);
        // Enough text per segment that the three overflow the output box, as a real model's long narration does.
        await FillAsync(page, "setting-max-new-tokens", 400);

        await page.ClickAsync("[data-testid=describe]");
        // Describe brings the output into view at once: the answer does not stream below the fold.
        await Assertions.Expect(page.Locator("[data-testid=output-box][aria-labelledby=output-title]")).ToBeInViewportAsync(new() { Ratio = 0.3f });
        await Assertions.Expect(page.Locator("[data-testid=stats-panel]")).ToBeVisibleAsync(new() { Timeout = (float)NarrationTimeout.TotalMilliseconds });

        // Where it was before narrating: the timeline does not jump to the other column.
        Assert.Equal(timelineBefore, (await timeline.BoundingBoxAsync())!.X);
        await Assertions.Expect(page.Locator("[data-testid=segment-text]")).ToHaveCountAsync(3);
        double pageHeight = await page.EvaluateAsync<double>("() => document.documentElement.scrollHeight");
        Assert.True(pageHeight <= 3 * 900, $"The page is {pageHeight} px tall: more than three 900 px screens.");
        bool overflows = await page.EvaluateAsync<bool>("() => { const b = document.querySelector('#output-segment-0').closest('[data-testid=output-box]'); return b.scrollHeight > b.clientHeight + 40; }");
        Assert.True(overflows, "The three segments' text fits the box, so this test would not see a scroll.");
        // The box followed the text to its end, so the first segment's text is out of sight until it is asked for.
        Assert.False(await SegmentTextVisibleAsync(page, 0), "Segment 1's text was already in view before the click.");
        await page.EvaluateAsync("() => window.scrollTo(0, document.documentElement.scrollHeight)");

        await page.Locator("[data-testid=segment-block]").First.ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=segment-item]").First).ToHaveAttributeAsync("data-selected", "true");
        await page.WaitForFunctionAsync("() => Math.abs(document.querySelector('[data-testid=preview-video]').currentTime - 0) < 0.5");
        // The page scrolls after the selection renders: give it the time a loaded machine needs.
        Assert.True(await WaitSegmentTextVisibleAsync(page, 0), "After the click segment 1's text is not in view.");
        await Assertions.Expect(page.Locator("[data-testid=preview-video]")).ToBeInViewportAsync(new() { Ratio = 0.5f });
        // The clip column stays in view while scrolling, but never slides over the examples under both columns.
        bool overlaps = await page.EvaluateAsync<bool>("""
            () => document.querySelector('.narrator-clip-column > section').getBoundingClientRect().bottom
                  > document.querySelector('[data-testid=examples-gallery]').getBoundingClientRect().top + 1
            """);
        Assert.False(overlaps, "The sticky clip column is drawn over the examples.");
        await Screenshot(page, "long-video-segment-click");
    }

    [Fact]
    public async Task TheUseViaApiCurlCommandCopiedFromThePageNarratesTheClipOnTheRunningServer()
    {
        IBrowserContext context = await chromium.NewVisitorAsync();
        _contexts.Add(context);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = site.BaseUrl });
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(site.BaseUrl);
        await WaitInteractiveAsync(page);
        await UploadAsync(page, _clip!);
        await page.ClickAsync("[data-testid=advanced-settings] .mud-expand-panel-header");
        await FillAsync(page, "setting-min-frames", 2);
        await FillAsync(page, "setting-max-frames", 4);
        await FillAsync(page, "setting-max-new-tokens", 8);
        ILocator prompt = page.Locator("textarea[data-testid=prompt-text]").First;
        await prompt.FillAsync("Say what the camera sees, it's a test.");
        await prompt.BlurAsync();

        await page.ClickAsync("[data-testid=use-api]");
        await page.ClickAsync("[data-testid=copy-curl]");
        // The copy runs after the click's round trip to the server: poll the clipboard until it is written. (WaitForFunction
        // does not await an async predicate: the promise it returned counted as true at once, and the read that followed
        // could run before the copy, a CI flake.)
        string copied = await ReadClipboardWhenWrittenAsync(page, TimeSpan.FromSeconds(30));
        string shown = await page.InnerTextAsync("[data-testid=api-curl]");
        Assert.Equal(shown.Trim(), copied.Trim());

        string folder = Directory.CreateTempSubdirectory("narrator-curl-").FullName;
        try
        {
            string script = Path.Combine(folder, "narrate.sh");
            await File.WriteAllTextAsync(script, copied);
            var (exit, stdout, stderr) = await RunAsync("bash", script, folder);
            Assert.True(exit == 0, $"bash exited with {exit}: {stderr}");
            Assert.Contains("event: started", stdout);
            Assert.Contains("event: completed", stdout);
            Assert.DoesNotContain("event: failed", stdout);
            Assert.True(File.Exists(Path.Combine(folder, "narrator-cookies")), "The script did not keep the visitor cookie.");
            string id = System.Text.RegularExpressions.Regex.Match(stdout, "\"narrationId\":\"([^\"]+)\"").Groups[1].Value;
            IAPIResponse stored = await page.APIRequest.GetAsync($"{site.BaseUrl}/api/narrations/{id}");
            using JsonDocument record = JsonDocument.Parse(await stored.TextAsync());
            // The same request Describe would have sent: the edited prompt and the settings on the page.
            Assert.Equal("Say what the camera sees, it's a test.", record.RootElement.GetProperty("prompt").GetString());
            Assert.Equal(8, record.RootElement.GetProperty("generation").GetProperty("maxNewTokens").GetInt32());
            Assert.Equal(4, record.RootElement.GetProperty("frames").GetProperty("maxFrames").GetInt32());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string program, string argument, string folder)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program, [argument])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(NarrationTimeout);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task<string> ReadClipboardWhenWrittenAsync(IPage page, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            string text = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
            if (text.Length > 0)
            {
                return text;
            }
            Assert.True(clock.Elapsed < timeout, $"Nothing reached the clipboard within {timeout.TotalSeconds} s of the copy click.");
            await Task.Delay(100);
        }
    }

    private static async Task<bool> WaitSegmentTextVisibleAsync(IPage page, int index)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(15); await page.WaitForTimeoutAsync(100))
        {
            if (await SegmentTextVisibleAsync(page, index))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when the top of segment <paramref name="index"/>'s text is inside both its scrolling box and the window.</summary>
    private static Task<bool> SegmentTextVisibleAsync(IPage page, int index) => page.EvaluateAsync<bool>("""
        index => {
          const item = document.querySelector(`#output-segment-${index} [data-testid=segment-text]`);
          const box = item.closest('[data-testid=output-box]').getBoundingClientRect();
          const top = item.getBoundingClientRect().top;
          return top >= box.top && top < box.bottom - 8 && top >= 0 && top < window.innerHeight - 8;
        }
        """, index);

    private async Task<IPage> OpenAsync(int width = 1400, int height = 1000)
    {
        IBrowserContext context = await chromium.NewVisitorAsync(width, height);
        _contexts.Add(context);
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(site.BaseUrl);
        await WaitInteractiveAsync(page);
        return page;
    }

    private static async Task<TextMark[]> ShownTextAsync(IPage page)
    {
        JsonElement marks = await page.EvaluateAsync<JsonElement>("() => window.__narratorMarks");
        return marks.EnumerateArray()
            .Select(mark => new TextMark(mark.GetProperty("time").GetDouble(), mark.GetProperty("length").GetInt32()))
            .ToArray();
    }

    private void Report(string name, double value)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}={value:0.0}"));
        string? folder = Environment.GetEnvironmentVariable("NARRATOR_PAGE_METRICS");
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
            File.AppendAllText(Path.Combine(folder, "page-metrics.txt"), string.Create(CultureInfo.InvariantCulture, $"{name}={value:0.0}\n"));
        }
    }

    private static async Task Screenshot(IPage page, string name, string? waitFor = null, bool fullPage = false)
    {
        string? folder = Environment.GetEnvironmentVariable("NARRATOR_SCREENSHOTS");
        if (string.IsNullOrEmpty(folder))
        {
            return;
        }
        if (waitFor is not null)
        {
            await page.Locator(waitFor).WaitForAsync(new() { Timeout = (float)NarrationTimeout.TotalMilliseconds });
        }
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = fullPage });
    }
}
