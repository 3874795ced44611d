using Bunit;
using Narrator.Model.Exports;
using Narrator.Web.Components.Output;

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

        var blocks = timeline.FindAll("[data-testid=segment-block]");
        Assert.Equal(3, blocks.Count);
        Assert.Equal("flex-grow: 12.5", blocks[0].GetAttribute("style"));
        Assert.Equal("flex-grow: 27.5", blocks[1].GetAttribute("style"));
        Assert.Equal("0:12.5 – 0:40.0", blocks[1].GetAttribute("title"));
        Assert.Contains("narrator-timeline-block-failed", blocks[2].ClassName);
    }

    [Fact]
    public void ListShowsTextTagsAndErrors()
    {
        var timeline = RenderEnglish<SegmentTimeline>(p => p.Add(x => x.Segments, Segments));

        var items = timeline.FindAll("[data-testid=segment-item]");
        Assert.Contains("Opening shot of the harbour.", items[0].TextContent);
        Assert.Contains("night, rain", items[1].TextContent);
        Assert.Contains("This segment could not be decoded.", items[2].TextContent);
    }

    [Fact]
    public void ClickingABlockOrItemRaisesTheSegmentAndTheSelectedOneIsHighlighted()
    {
        var chosen = new List<int>();
        var timeline = RenderEnglish<SegmentTimeline>(p => p
            .Add(x => x.Segments, Segments)
            .Add(x => x.SelectedIndex, 1)
            .Add(x => x.OnSelect, (NarrationSegment segment) => chosen.Add(segment.Index)));

        timeline.FindAll("[data-testid=segment-block]")[2].Click();
        timeline.FindAll("[data-testid=segment-item]")[0].Click();

        Assert.Equal([2, 0], chosen);
        Assert.Equal("true", timeline.FindAll("[data-testid=segment-item]")[1].GetAttribute("data-selected"));
        Assert.Equal("true", timeline.FindAll("[data-testid=segment-block]")[1].GetAttribute("aria-current"));
    }

    [Fact]
    public void PlannedSegmentsNotNarratedYetAreShownAsWaitingAndTheActiveOneAsInProgress()
    {
        NarrationSegment[] planned =
        [
            Segments[0],
            new() { Index = 1, StartSeconds = 12.5, EndSeconds = 40 },
            new() { Index = 2, StartSeconds = 40, EndSeconds = 61 },
        ];
        var timeline = RenderEnglish<SegmentTimeline>(p => p
            .Add(x => x.Segments, planned)
            .Add(x => x.Finished, new HashSet<int> { 0 })
            .Add(x => x.ActiveIndex, 1));

        var blocks = timeline.FindAll("[data-testid=segment-block]");
        Assert.DoesNotContain("narrator-timeline-block-pending", blocks[0].ClassName);
        Assert.Contains("narrator-timeline-block-pending", blocks[1].ClassName);
        Assert.Contains("narrator-timeline-block-pending", blocks[2].ClassName);
        var pending = timeline.FindAll("[data-testid=segment-pending]");
        Assert.Equal(["Being narrated…", "Not narrated yet"], pending.Select(p => p.TextContent.Trim()));
        Assert.Contains("Opening shot of the harbour.", timeline.FindAll("[data-testid=segment-item]")[0].TextContent);
    }

    [Fact]
    public void APlanShowsTheBlocksAndACountWithoutTheList()
    {
        var chosen = new List<int>();
        var timeline = RenderEnglish<SegmentTimeline>(p => p
            .Add(x => x.Segments, Segments)
            .Add(x => x.ShowList, false)
            .Add(x => x.OnSelect, (NarrationSegment segment) => chosen.Add(segment.Index)));

        Assert.Equal(3, timeline.FindAll("[data-testid=segment-block]").Count);
        Assert.Empty(timeline.FindAll("[data-testid=segment-item]"));
        Assert.StartsWith("3 segments, each narrated on its own", timeline.Find("[data-testid=segment-plan]").TextContent.Trim());
        timeline.FindAll("[data-testid=segment-block]")[1].Click();
        Assert.Equal([1], chosen);
    }

    [Fact]
    public void NoSegmentsRenderNothing()
    {
        var timeline = RenderEnglish<SegmentTimeline>(p => p.Add(x => x.Segments, []));

        Assert.Empty(timeline.FindAll("[data-testid=segment-timeline]"));
    }
}
