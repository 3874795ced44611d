using Bunit;
using Narrator.Model.Segmentation;
using Narrator.Web.Components.Clip;
using Narrator.Web.Narrations;

namespace Narrator.Web.Tests.Components;

public class FrameStripTests : MudTestContext
{
    [Fact]
    public void ShowsOneThumbnailPerPlannedFrameWithItsTimestamp()
    {
        ClipInfo clip = SampleData.Video(frames: 16);

        var strip = RenderEnglish<FrameStrip>(p => p.Add(x => x.Clip, clip));

        var thumbs = strip.FindAll("[data-testid=frame-thumb]");
        Assert.Equal(16, thumbs.Count);
        Assert.Equal("/clips/abc/frames/0.jpg", thumbs[0].QuerySelector("img")!.GetAttribute("src"));
        Assert.Equal("0:08.0", thumbs[^1].QuerySelector(".narrator-frame-time")!.TextContent);
        Assert.Equal("Frame 199 at 0:08.0", thumbs[^1].GetAttribute("aria-label"));
    }

    [Fact]
    public void SummarisesFramesGridAndVisualTokens()
    {
        ClipInfo clip = SampleData.Video(frames: 16);

        var strip = RenderEnglish<FrameStrip>(p => p.Add(x => x.Clip, clip));

        Assert.Equal("16 frames", strip.Find("[data-testid=frame-count]").TextContent.Trim());
        // The patch grid in words: what the three numbers are and what they cost.
        Assert.Equal("8×26×46 patches", strip.Find("[data-testid=frame-grid]").TextContent.Trim());
        Assert.StartsWith("The model cuts the frames into 14-pixel patches: 8 time steps", strip.Find("[data-testid=frame-grid]").GetAttribute("aria-description"));
        Assert.Equal("2,392 visual tokens", strip.Find("[data-testid=visual-tokens]").TextContent.Trim());
        Assert.Contains("644×364 px per frame", strip.Markup);
    }

    [Fact]
    public void AClipOverTheLongVideoLimitSaysItWillBeNarratedInSegmentsAndAShortOneDoesNot()
    {
        ClipInfo clip = SampleData.Video(frames: 16);
        var rules = new SegmentationOptions { LongVideoSeconds = 60 };
        ClipInfo film = clip with { Probe = clip.Probe with { DurationSeconds = 75 } };

        var shortStrip = RenderEnglish<FrameStrip>(p => p.Add(x => x.Clip, clip).Add(x => x.Segmentation, rules));
        var longStrip = RenderEnglish<FrameStrip>(p => p.Add(x => x.Clip, film).Add(x => x.Segmentation, rules));
        var fixedStrip = RenderEnglish<FrameStrip>(p => p.Add(x => x.Clip, film).Add(x => x.Segmentation, rules).Add(x => x.SplitMode, SegmentationMode.Fixed));
        var stillStrip = RenderEnglish<FrameStrip>(p => p.Add(x => x.Clip, SampleData.Still()).Add(x => x.Segmentation, rules with { LongVideoSeconds = 0.001 }));

        Assert.Empty(shortStrip.FindAll("[data-testid=long-video-note]"));
        Assert.Empty(shortStrip.FindAll("[data-testid=split-mode]"));
        Assert.Empty(stillStrip.FindAll("[data-testid=long-video-note]"));
        Assert.NotNull(longStrip.Find("[data-testid=split-mode]"));
        Assert.Contains("Longer than 1 min: it will be cut at scene changes into segments of 5 s–1 min", longStrip.Find("[data-testid=long-video-note]").TextContent);
        Assert.Contains("narrated in 30 s segments", fixedStrip.Find("[data-testid=long-video-note]").TextContent);
    }

    [Fact]
    public void ClickingAThumbnailRaisesIt()
    {
        FrameThumbnail? chosen = null;
        var strip = RenderEnglish<FrameStrip>(p => p
            .Add(x => x.Clip, SampleData.Video())
            .Add(x => x.OnFrameSelected, (FrameThumbnail frame) => chosen = frame));

        strip.FindAll("[data-testid=frame-thumb]")[3].Click();

        Assert.Equal(SampleData.Video().Frames[3], chosen);
    }

    [Fact]
    public void AStillExplainsItIsShownTwice()
    {
        var strip = RenderEnglish<FrameStrip>(p => p.Add(x => x.Clip, SampleData.Still()));

        Assert.Single(strip.FindAll("[data-testid=frame-thumb]"));
        Assert.Contains("twice", strip.Markup);
    }

    [Fact]
    public void ReplanningShowsProgressAndKeepsTheOldStrip()
    {
        var strip = RenderEnglish<FrameStrip>(p => p.Add(x => x.Clip, SampleData.Video()).Add(x => x.IsReplanning, true));

        Assert.NotNull(strip.Find("[data-testid=replanning]"));
        Assert.Equal(16, strip.FindAll("[data-testid=frame-thumb]").Count);
    }

    [Fact]
    public void NothingRendersWithoutAClip()
    {
        var strip = RenderEnglish<FrameStrip>(p => p.Add(x => x.Clip, null));

        Assert.Empty(strip.FindAll("[data-testid=frame-strip]"));
    }
}
