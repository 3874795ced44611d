using Bunit;
using Narrator.Model.Exports;
using Narrator.Web.Components.Output;
using Narrator.Web.Narrations;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Components;

public class SegmentTimelineTests : MudTestContext
{
    private static readonly NarrationSegment[] Segments =
    [
        new() { Index = 0, StartSeconds = 0, EndSeconds = 12.5, Text = "Opening shot of the harbour." },
        new() { Index = 1, StartSeconds = 12.5, EndSeconds = 40, Text = "", Tags = ["night", "rain"] },
        new() { Index = 2, StartSeconds = 40, EndSeconds = 61, Error = "This segment could not be decoded." },
    ];

    [Fact]
    public void BlocksAreAsWideAsTheirSegmentAndSayTheirTimes()
    {
        var timeline = RenderEnglish<SegmentTimeline>(p => p.Add(x => x.Segments, Segments));

        var slots = timeline.FindAll(".narrator-timeline-slot");
        var blocks = timeline.FindAll("[data-testid=segment-block]");
        Assert.Equal(3, blocks.Count);
        Assert.Equal("flex-grow: 12.5", slots[0].GetAttribute("style"));
        Assert.Equal("flex-grow: 27.5", slots[1].GetAttribute("style"));
        Assert.Equal("0:12.5 – 0:40.0", blocks[1].GetAttribute("title"));
        Assert.Contains("narrator-timeline-block-failed", blocks[2].ClassName);
        // A list of segments: list items holding buttons, not buttons posing as list items.
        Assert.Equal("OL", timeline.Find(".narrator-timeline").TagName);
        Assert.All(blocks, block => Assert.Equal("LI", block.ParentElement!.TagName));
    }

    [Fact]
    public void ClickingABlockRaisesTheSegmentAndTheSelectedOneIsPressed()
    {
        var chosen = new List<int>();
        var timeline = RenderEnglish<SegmentTimeline>(p => p
            .Add(x => x.Segments, Segments)
            .Add(x => x.SelectedIndex, 1)
            .Add(x => x.OnSelect, (NarrationSegment segment) => chosen.Add(segment.Index)));

        timeline.FindAll("[data-testid=segment-block]")[2].Click();

        Assert.Equal([2], chosen);
        Assert.Equal("true", timeline.FindAll("[data-testid=segment-block]")[1].GetAttribute("aria-pressed"));
    }

    [Fact]
    public void PlannedSegmentsNotNarratedYetArePendingAndTheActiveOneIsMarked()
    {
        var timeline = RenderEnglish<SegmentTimeline>(p => p
            .Add(x => x.Segments, Segments)
            .Add(x => x.Finished, new HashSet<int> { 0 })
            .Add(x => x.ActiveIndex, 1));

        var blocks = timeline.FindAll("[data-testid=segment-block]");
        Assert.DoesNotContain("narrator-timeline-block-pending", blocks[0].ClassName);
        Assert.Contains("narrator-timeline-block-pending", blocks[1].ClassName);
        Assert.Contains("narrator-timeline-block-active", blocks[1].ClassName);
    }

    [Fact]
    public void APlanShowsTheBlocksAndACount()
    {
        var timeline = RenderEnglish<SegmentTimeline>(p => p.Add(x => x.Segments, Segments).Add(x => x.IsPlan, true));

        Assert.Equal(3, timeline.FindAll("[data-testid=segment-block]").Count);
        Assert.StartsWith("3 segments, each narrated on its own", timeline.Find("[data-testid=segment-plan]").TextContent.Trim());
    }

    [Fact]
    public void NoSegmentsRenderNothing()
    {
        var timeline = RenderEnglish<SegmentTimeline>(p => p.Add(x => x.Segments, []));

        Assert.Empty(timeline.FindAll("[data-testid=segment-timeline]"));
    }

    [Fact]
    public void TheListShowsEachSegmentsTextOnceTheStreamingOneAsItGrowsAndTheRestWaiting()
    {
        var run = SampleData.Run();
        run.Apply(new StartedEvent { NarrationId = "n" });
        run.Apply(new SegmentEvent(new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 30 }, 3) { NarrationId = "n", Finished = false });
        run.Apply(new SegmentEvent(new NarrationSegment { Index = 1, StartSeconds = 30, EndSeconds = 60 }, 3) { NarrationId = "n", Finished = false });
        run.Apply(new SegmentEvent(new NarrationSegment { Index = 2, StartSeconds = 60, EndSeconds = 75 }, 3) { NarrationId = "n", Finished = false });
        run.Apply(StageEvent.OfSegment("n", 1, 3));
        run.Apply(new TokenEvent("[00:00:00.000 - 00:00:30.000]\n") { NarrationId = "n" });
        run.Apply(new TokenEvent("A harbour ") { NarrationId = "n" });
        run.Apply(new TokenEvent("at dawn.") { NarrationId = "n" });
        run.Apply(new SegmentEvent(new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 30, Text = "A harbour at dawn." }, 3) { NarrationId = "n" });
        run.Apply(StageEvent.OfSegment("n", 2, 3));
        run.Apply(new TokenEvent("\n\n[00:00:30.000 - 00:00:60.000]\n") { NarrationId = "n" });
        run.Apply(new TokenEvent("Boats leave") { NarrationId = "n" });

        var list = RenderEnglish<SegmentList>(p => p.Add(x => x.Run, run));

        var items = list.FindAll("[data-testid=segment-item]");
        Assert.Equal(3, items.Count);
        Assert.Equal("A harbour at dawn.", items[0].QuerySelector("[data-testid=segment-text]")!.TextContent);
        Assert.Equal("Boats leave", items[1].QuerySelector("[data-testid=segment-text]")!.TextContent);
        Assert.Equal("Not narrated yet", items[2].QuerySelector("[data-testid=segment-pending]")!.TextContent.Trim());
        // Each segment's words appear once in the whole list.
        Assert.Equal(1, CountOf(list.Markup, "A harbour at dawn."));
        Assert.Equal("segment-item", list.Find("#output-segment-1").GetAttribute("data-testid"));
    }

    [Fact]
    public void ListShowsTagsAndErrorsOfAStoredNarration()
    {
        var record = SampleData.Record() with { Segments = Segments };
        var run = NarrationRun.FromRecord(record);

        var list = RenderEnglish<SegmentList>(p => p.Add(x => x.Run, run));

        var items = list.FindAll("[data-testid=segment-item]");
        Assert.Contains("Opening shot of the harbour.", items[0].TextContent);
        Assert.Contains("night, rain", items[1].TextContent);
        Assert.Contains("This segment could not be decoded.", items[2].TextContent);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
