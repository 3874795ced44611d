using Bunit;
using Narrator.Web.Components.Pages;

namespace Narrator.Web.Tests.Components;

public class ModelGuideTests : MudTestContext
{
    [Fact]
    public void ShowsTheModelGuideBuiltIntoTheApp()
    {
        var guide = RenderEnglish<ModelGuide>();

        // docs/MODEL.md is embedded at build time; its first heading names the subject.
        Assert.Contains("model", guide.Find("[data-testid=model-guide]").TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("does not include docs/MODEL.md", guide.Markup);
    }
}
