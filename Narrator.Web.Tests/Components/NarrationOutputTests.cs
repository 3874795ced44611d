using Narrator.Model.Exports;
using Microsoft.Extensions.DependencyInjection;
using Bunit;
using Narrator.Model.Templates;
using Narrator.Web.Components.Interop;
using Narrator.Web.Components.Output;
using Narrator.Web.Localization;
using Narrator.Web.Narrations;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Components;

public class NarrationOutputTests : MudTestContext
{
    [Fact]
    public void BeforeAnyRunShowsThePlaceholder()
    {
        var output = RenderEnglish<NarrationOutput>(p => p.Add(x => x.Run, null));

        Assert.Contains("will appear here", output.Find("[data-testid=output-placeholder]").TextContent);
        Assert.Empty(output.FindAll("[data-testid=copy]"));
    }

    [Fact]
    public void WhileQueuedShowsPositionAndEta()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new QueuedEvent(2, 35) { NarrationId = "n" });

        var output = RenderEnglish<NarrationOutput>(p => p.Add(x => x.Run, run));

        Assert.Equal("Position 2 in the queue", output.Find("[data-testid=queue-position]").TextContent.Trim());
        Assert.Equal("about 35 s to wait", output.Find("[data-testid=queue-eta]").TextContent.Trim());
    }

    [Fact]
    public void StreamedTokensGrowTheTextWithTheStageShown()
    {
        NarrationRun run = SampleData.Run();
        var output = RenderEnglish<NarrationOutput>(p => p.Add(x => x.Run, run));

        run.Apply(new StageEvent("encoding vision") { NarrationId = "n" });
        output.Render(p => p.Add(x => x.Run, run));
        Assert.Equal("Encoding the frames", output.Find("[data-testid=stage]").TextContent.Trim());

        var seen = new List<string>();
        foreach (string piece in new[] { "画面", "中，一位", "女子举杯。" })
        {
            run.Apply(new TokenEvent(piece) { NarrationId = "n" });
            output.Render(p => p.Add(x => x.Run, run));
            seen.Add(output.Find("[data-testid=narration-text]").TextContent);
        }

        Assert.Equal(["画面", "画面中，一位", "画面中，一位女子举杯。"], seen);
        Assert.Equal("zh-CN", output.Find("[data-testid=narration-text]").GetAttribute("lang"));
        Assert.Equal("true", output.Find("[data-testid=narration-text]").GetAttribute("aria-busy"));
        Assert.NotNull(output.Find(".narrator-caret"));
    }

    [Fact]
    public void CompletedShowsStatsAndActionsWithoutTheCaret()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new TokenEvent("A woman raises a glass.") { NarrationId = "n" });
        run.Apply(new CompletedEvent("A woman raises a glass.", SampleData.Stats()) { NarrationId = "n" });

        var output = RenderEnglish<NarrationOutput>(p => p.Add(x => x.Run, run));

        Assert.Empty(output.FindAll(".narrator-caret"));
        Assert.Equal("250 ms", output.Find("[data-testid=stat-ttft] dd").TextContent.Trim());
        // Not measured by this page (e.g. opened from the history): only the model's figure.
        Assert.Empty(output.FindAll("[data-testid=stat-click-to-text]"));
        Assert.Contains("31.5", output.Find("[data-testid=stat-tokens-per-second]").TextContent);
        Assert.Contains("42", output.Find("[data-testid=stat-tokens]").TextContent);
        Assert.Contains("16", output.Find("[data-testid=stat-frames]").TextContent);
        Assert.Contains("1196", output.Find("[data-testid=stat-visual-tokens]").TextContent);
        Assert.Contains("1.6 s", output.Find("[data-testid=stat-total]").TextContent);
        Assert.Contains("finished naturally", output.Find("[data-testid=finish-reason]").TextContent);
        Assert.Contains("vision 120 ms · prefill 80 ms for 1200 prompt tokens", output.Find("[data-testid=finish-reason]").TextContent);
        Assert.NotNull(output.Find("[data-testid=download-menu]"));
    }

    [Fact]
    public void FailureShowsTheServersSentence()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new FailedEvent("The queue is full (8 waiting); try again in a minute.") { NarrationId = "n" });

        var output = RenderEnglish<NarrationOutput>(p => p.Add(x => x.Run, run));

        Assert.Contains("The queue is full (8 waiting); try again in a minute.", output.Find("[data-testid=narration-error]").TextContent);
        Assert.Empty(output.FindAll("[data-testid=output-placeholder]"));
    }

    [Fact]
    public void StoppedKeepsTheTextAndSaysSo()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new TokenEvent("half a sen") { NarrationId = "n" });
        run.MarkStopped();

        var output = RenderWith<NarrationOutput>(UiText.Chinese, p => p.Add(x => x.Run, run));

        Assert.Equal("half a sen", output.Find("[data-testid=narration-text]").TextContent);
        Assert.Contains("已停止", output.Find("[data-testid=narration-stopped]").TextContent);
    }

    [Fact]
    public void TagTemplatesRenderChipsWithARawTextToggle()
    {
        NarrationRun run = SampleData.Run("tags");
        run.Apply(new CompletedEvent("night, city, skyscraper", SampleData.Stats()) { NarrationId = "n" });

        var output = RenderEnglish<NarrationOutput>(p => p
            .Add(x => x.Run, run)
            .Add(x => x.Processed, ProcessedOutput.For(SampleData.Templates[1], run.Text)));

        Assert.Equal(["night", "city", "skyscraper"], output.FindAll("[data-testid=output-tags] .mud-chip").Select(chip => chip.TextContent.Trim()));

        output.Find("[data-testid=toggle-raw]").Click();

        Assert.Equal("night, city, skyscraper", output.Find("[data-testid=narration-text]").TextContent);
    }

    [Fact]
    public void JsonTemplatesRenderAFieldTable()
    {
        NarrationRun run = SampleData.Run("structured");
        run.Apply(new CompletedEvent("```json\n{\"shot_type\": \"close-up\", \"camera_motion\": \"static\",}\n```", SampleData.Stats()) { NarrationId = "n" });

        var output = RenderEnglish<NarrationOutput>(p => p
            .Add(x => x.Run, run)
            .Add(x => x.Processed, ProcessedOutput.For(SampleData.Templates[2], run.Text)));

        var cells = output.FindAll("[data-testid=output-table] tbody td").Select(cell => cell.TextContent).ToList();
        Assert.Equal(["shot type", "close-up"], cells.Take(2));
        Assert.Contains("camera motion", cells);
        Assert.NotEmpty(output.FindAll("[data-testid=output-problem]"));
    }

    [Fact]
    public void UnparsableJsonSaysSoAndShowsTheRawText()
    {
        NarrationRun run = SampleData.Run("structured");
        run.Apply(new CompletedEvent("not json at all", SampleData.Stats()) { NarrationId = "n" });

        var output = RenderEnglish<NarrationOutput>(p => p
            .Add(x => x.Run, run)
            .Add(x => x.Processed, ProcessedOutput.For(SampleData.Templates[2], run.Text)));

        Assert.NotNull(output.Find("[data-testid=not-parsed]"));
        Assert.Equal("not json at all", output.Find("[data-testid=narration-text]").TextContent);
    }

    [Fact]
    public void ALongVideoShowsWhichSegmentIsBeingNarratedAndTheStageWithinIt()
    {
        NarrationRun run = SampleData.Run();
        for (int k = 0; k < 3; k++)
        {
            run.Apply(new SegmentEvent(new() { Index = k, StartSeconds = 20 * k, EndSeconds = 20 * (k + 1) }, 3) { NarrationId = "n", Finished = false });
        }
        run.Apply(StageEvent.OfSegment("n", 1, 3));
        run.Apply(new SegmentEvent(new() { Index = 0, StartSeconds = 0, EndSeconds = 20, Text = "a" }, 3) { NarrationId = "n" });
        run.Apply(StageEvent.OfSegment("n", 2, 3));
        run.Apply(new StageEvent("generating") { NarrationId = "n" });

        var output = RenderEnglish<NarrationOutput>(p => p.Add(x => x.Run, run));

        Assert.Equal("Segment 2 of 3", output.Find("[data-testid=segment-progress]").TextContent.Trim());
        Assert.Equal("Writing", output.Find("[data-testid=stage]").TextContent.Trim());
        Assert.Equal(100.0 / 3, double.Parse(output.Find("[data-testid=segments-done]").GetAttribute("aria-valuenow")!, System.Globalization.CultureInfo.InvariantCulture), 3);
    }

    [Fact]
    public void TheDownloadMenuListsEveryRegisteredExportFormatInRegistryOrderWithItsOwnLabelInThePageLanguage()
    {
        JSInterop.SetupModule(NarratorScript.ModulePath);
        var popovers = Render<MudBlazor.MudPopoverProvider>();
        NarrationRun run = SampleData.Run();
        run.Apply(new CompletedEvent("A woman raises a glass.", SampleData.Stats()) { NarrationId = "n1" });
        var output = RenderWith<NarrationOutput>(UiText.Chinese, p => p.Add(x => x.Run, run));

        output.Find("[data-testid=download-menu] button").Click();

        var items = popovers.FindAll("[data-testid^=download-]").Where(item => item.GetAttribute("data-testid") != "download-settings").ToList();
        Assert.Equal(ExportFormats.All.Select(format => "download-" + format.Name()), items.Select(item => item.GetAttribute("data-testid")));
        Assert.Equal(ExportFormats.All.Select(format => format.Label("zh-CN")), items.Select(item => item.TextContent.Trim()));
        Assert.Contains("字幕 (.srt)", popovers.Find("[data-testid=download-srt]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void CopyGoesThroughThePageScriptAndTheDownloadMenuLinksEveryExportFormatToTheApi()
    {
        var module = JSInterop.SetupModule(NarratorScript.ModulePath);
        module.SetupVoid("copyText", _ => true).SetVoidResult();
        module.SetupVoid("downloadText", _ => true).SetVoidResult();
        var popovers = Render<MudBlazor.MudPopoverProvider>();
        NarrationRun run = SampleData.Run();
        run.Apply(new CompletedEvent("A woman raises a glass.", SampleData.Stats()) { NarrationId = "n1" });
        var output = RenderEnglish<NarrationOutput>(p => p.Add(x => x.Run, run));

        output.Find("[data-testid=copy]").Click();
        output.Find("[data-testid=download-menu] button").Click();

        Assert.Equal("A woman raises a glass.", module.VerifyInvoke("copyText").Arguments[0]);
        foreach (var (format, extension) in new[] { ("txt", "txt"), ("json", "json"), ("ndjson", "ndjson"), ("srt", "srt"), ("vtt", "vtt") })
        {
            var link = popovers.Find($"[data-testid=download-{format}]");
            Assert.Equal($"api/narrations/n1/export?format={format}", link.GetAttribute("href"));
            Assert.Equal($"narration-street-cinematic-zh.{extension}", link.GetAttribute("download"));
        }
        popovers.Find("[data-testid=download-settings]").Click();
        // The menu closes first, then runs the item's handler.
        popovers.WaitForAssertion(() => module.VerifyInvoke("downloadText"));
        var download = module.VerifyInvoke("downloadText");
        // Not the segments JSON's name: the two JSON downloads are different documents.
        Assert.Equal("narration-street-cinematic-zh.settings.json", download.Arguments[0]);
        Assert.Contains("\"generatedTokens\": 42", (string)download.Arguments[2]!);
        Assert.Contains("\"prompt\"", (string)download.Arguments[2]!);
    }

    [Fact]
    public void TheWaitFromTheClickIsShownBesideTheModelsTimeToFirstToken()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new TokenEvent("A") { NarrationId = "n" });
        run.MarkFirstText(TimeSpan.FromMilliseconds(1700));
        run.MarkFirstText(TimeSpan.FromMilliseconds(9000));
        run.Apply(new CompletedEvent("A woman.", SampleData.Stats()) { NarrationId = "n" });

        var output = RenderEnglish<NarrationOutput>(p => p.Add(x => x.Run, run));

        Assert.Equal("1.7 s", output.Find("[data-testid=stat-click-to-text] dd").TextContent.Trim());
        Assert.Equal("Click to first words", output.Find("[data-testid=stat-click-to-text] dt").TextContent.Trim());
        Assert.Equal("250 ms", output.Find("[data-testid=stat-ttft] dd").TextContent.Trim());
    }

    [Fact]
    public void OnlyTheGrowingTailIsRenderedAfresh()
    {
        NarrationRun run = SampleData.Run();
        var output = RenderEnglish<NarrationOutput>(p => p.Add(x => x.Run, run));
        // Three pieces pass the chunk length, so six make exactly two sealed chunks.
        string piece = new('x', NarrationRun.ChunkLength / 3 + 1);
        for (int i = 0; i < 6; i++)
        {
            run.Apply(new TokenEvent(piece) { NarrationId = "n" });
        }
        output.Render(p => p.Add(x => x.Run, run));
        var before = output.FindAll("[data-testid=narration-text] span").Select(span => span.TextContent).ToList();

        run.Apply(new TokenEvent("yz") { NarrationId = "n" });
        output.Render(p => p.Add(x => x.Run, run));
        var after = output.FindAll("[data-testid=narration-text] span").Select(span => span.TextContent).ToList();

        // Two sealed chunks of three pieces each that never change again, then the tail.
        Assert.Equal(run.Text, string.Concat(after.Where(text => text.Length > 0)));
        Assert.Equal(before.Take(2), after.Take(2));
        Assert.True(after[2].Length < NarrationRun.ChunkLength, $"The tail is {after[2].Length} characters.");
        Assert.Equal(6 * piece.Length + 2, output.Find("[data-testid=narration-text]").TextContent.Length);
    }

    [Fact]
    public void TheEtaCountsDownBetweenTheServersUpdatesAndTheBarFills()
    {
        var clock = new Narrator.Web.Tests.Workbench.ManualClock();
        Services.AddSingleton<TimeProvider>(clock);
        NarrationRun run = SampleData.Run();
        run.Apply(new QueuedEvent(2, 40) { NarrationId = "n" });
        var output = RenderEnglish<NarrationOutput>(p => p.Add(x => x.Run, run));
        Assert.Equal("about 40 s to wait", output.Find("[data-testid=queue-eta]").TextContent.Trim());

        clock.Advance(TimeSpan.FromSeconds(10));
        output.Render(p => p.Add(x => x.Run, run));

        Assert.Equal("about 30 s to wait", output.Find("[data-testid=queue-eta]").TextContent.Trim());
        Assert.Equal("25", output.Find("[data-testid=queue-progress]").GetAttribute("aria-valuenow"));
        Assert.Equal("Waiting in the queue", output.Find("[data-testid=queue-progress]").GetAttribute("aria-label"));

        // Past the estimate, it says the turn is close rather than a negative wait.
        clock.Advance(TimeSpan.FromSeconds(45));
        output.Render(p => p.Add(x => x.Run, run));
        Assert.Equal("any moment now", output.Find("[data-testid=queue-eta]").TextContent.Trim());
    }
}
