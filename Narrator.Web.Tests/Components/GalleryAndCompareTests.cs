using Bunit;
using Narrator.Web.Components.Clip;
using Narrator.Web.Components.Output;
using Narrator.Model.Templates;
using Narrator.Web.Localization;
using Narrator.Web.Narrations;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Components;

public class GalleryAndCompareTests : MudTestContext
{
    private static readonly ExampleClip City = new("city", "city.mp4", "city.jpg",
        new LocalizedText("夜色中的城市高楼", "City towers at night"), new LocalizedText("仰拍。", "Low angle."), "tags", "CC0");

    [Fact]
    public void ExamplesNameTheirSuggestedTemplateAndLoadOnClick()
    {
        ExampleClip? chosen = null;
        var gallery = RenderWith<ExamplesGallery>(UiText.Chinese, p => p
            .Add(x => x.Examples, [City])
            .Add(x => x.Templates, SampleData.Templates)
            .Add(x => x.OnChoose, (ExampleClip example) => chosen = example));

        Assert.Contains("夜色中的城市高楼", gallery.Markup);
        Assert.Contains("推荐模板：标签", gallery.Markup);

        gallery.Find("[data-testid=try-example]").Click();

        Assert.Equal(City, chosen);
    }

    [Fact]
    public void NoExamplesRenderNothing()
    {
        var gallery = RenderEnglish<ExamplesGallery>(p => p.Add(x => x.Examples, []));

        Assert.Empty(gallery.FindAll("[data-testid=examples-gallery]"));
    }

    [Fact]
    public void CompareRunsTheFirstTwoTemplatesWithTheirPromptsByDefault()
    {
        (CompareChoice Left, CompareChoice Right)? asked = null;
        var compare = RenderEnglish<CompareView>(p => p
            .Add(x => x.Templates, SampleData.Templates)
            .Add(x => x.CanRun, true)
            .Add(x => x.OnRun, ((CompareChoice Left, CompareChoice Right) pair) => asked = pair));

        compare.Find("[data-testid=compare-run]").Click();

        Assert.Equal(new CompareChoice("cinematic-zh", "要求：描述画面。"), asked?.Left);
        Assert.Equal(new CompareChoice("tags", "List 15-20 tags."), asked?.Right);
    }

    [Fact]
    public void CompareSendsAnEditedPrompt()
    {
        (CompareChoice Left, CompareChoice Right)? asked = null;
        var compare = RenderEnglish<CompareView>(p => p
            .Add(x => x.Templates, SampleData.Templates)
            .Add(x => x.CanRun, true)
            .Add(x => x.OnRun, ((CompareChoice Left, CompareChoice Right) pair) => asked = pair));

        compare.FindAll("textarea")[1].Input("Only five tags.");
        compare.Find("[data-testid=compare-run]").Click();

        Assert.Equal("Only five tags.", asked?.Right.Prompt);
    }

    [Fact]
    public void CompareWithoutAClipCannotRunAndShowsBothOutputs()
    {
        NarrationRun left = SampleData.Run();
        left.Apply(new TokenEvent("left text") { NarrationId = "a" });
        NarrationRun right = SampleData.Run("tags");
        right.Apply(new QueuedEvent(1, 5) { NarrationId = "b" });

        var compare = RenderEnglish<CompareView>(p => p
            .Add(x => x.Templates, SampleData.Templates)
            .Add(x => x.CanRun, false)
            .Add(x => x.LeftRun, left)
            .Add(x => x.RightRun, right));

        Assert.True(compare.Find("[data-testid=compare-run]").HasAttribute("disabled"));
        Assert.Contains("left text", compare.Find("[data-testid=compare-side-a]").TextContent);
        Assert.Contains("You are next in the queue", compare.Find("[data-testid=compare-side-b]").TextContent);
    }
}
