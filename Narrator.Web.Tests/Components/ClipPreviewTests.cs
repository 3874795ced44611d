using Bunit;
using Narrator.Web.Components.Clip;

namespace Narrator.Web.Tests.Components;

public class ClipPreviewTests : MudTestContext
{
    [Fact]
    public void AVideoPlaysTheBrowserPlayablePreview()
    {
        var preview = RenderEnglish<ClipPreview>(p => p.Add(x => x.Clip, SampleData.Video()));

        Assert.Equal("/clips/abc/preview.mp4", preview.Find("[data-testid=preview-video]").GetAttribute("src"));
        Assert.Equal("640×360 · 8 s · 25 fps", preview.Find("[data-testid=clip-facts]").TextContent.Trim());
    }

    [Fact]
    public void AStillShowsAnImage()
    {
        var preview = RenderEnglish<ClipPreview>(p => p.Add(x => x.Clip, SampleData.Still()));

        Assert.Equal("/clips/img/preview.jpg", preview.Find("[data-testid=preview-image]").GetAttribute("src"));
        Assert.Contains("Still image", preview.Markup);
    }

    [Fact]
    public void WithoutAClipInvitesAnUpload()
    {
        var preview = RenderEnglish<ClipPreview>(p => p.Add(x => x.Clip, null));

        Assert.Contains("No clip yet", preview.Markup);
    }

    [Fact]
    public async Task SeekMovesTheVideoThroughThePageScript()
    {
        var module = JSInterop.SetupModule(Narrator.Web.Components.Interop.NarratorScript.ModulePath);
        module.SetupVoid("seekMedia", _ => true).SetVoidResult();
        var preview = RenderEnglish<ClipPreview>(p => p.Add(x => x.Clip, SampleData.Video()));

        await preview.InvokeAsync(() => preview.Instance.SeekAsync(3.5));

        Assert.Equal(3.5, module.VerifyInvoke("seekMedia").Arguments[1]);
    }
}
