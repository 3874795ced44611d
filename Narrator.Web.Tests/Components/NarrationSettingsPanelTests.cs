using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Templates;
using Narrator.Web.Components.Prompt;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Components;

public sealed class NarrationSettingsPanelTests : MudTestContext
{
    private static readonly PromptTemplate Dense = new()
    {
        Id = "dense",
        Name = new("密集", "Dense"),
        Description = new("每秒四帧。", "Four frames a second."),
        Prompt = "Describe every moment.",
        Defaults = new TemplateOptions { Fps = 4 },
    };

    private int changes;
    private int replans;

    private (WorkbenchSettings Settings, IRenderedComponent<NarrationSettingsPanel> Panel) Render()
    {
        var settings = new WorkbenchSettings(SegmentationMode.Scenes, 2048);
        settings.UseTemplates([.. SampleData.Templates, Dense]);
        var panel = RenderEnglish<NarrationSettingsPanel>(p => p
            .Add(x => x.Settings, settings)
            .Add(x => x.OnChanged, () => changes++)
            .Add(x => x.OnFramesChanged, () => replans++));
        return (settings, panel);
    }

    [Fact]
    public void ATemplateWithOtherFramesIsReportedForAReplanAndOneWithTheSameFramesIsNot()
    {
        var (settings, panel) = Render();

        panel.Find("[data-template=tags]").Click();
        Assert.Equal(("tags", 1, 0), (settings.TemplateId, changes, replans));

        panel.Find("[data-template=dense]").Click();
        Assert.Equal(("dense", 2, 1), (settings.TemplateId, changes, replans));
        Assert.Equal(("Describe every moment.", 4.0), (settings.Prompt, settings.Frames.Fps));
    }

    [Fact]
    public void ReplacingAnEditedPromptOffersUndoWhichBringsItBack()
    {
        var snackbars = Render<MudSnackbarProvider>();
        var (settings, panel) = Render();
        panel.Find("textarea").Input("Only the faces.");
        Assert.Equal(1, changes);

        panel.Find("[data-template=tags]").Click();

        Snackbar offer = Assert.Single(Services.GetRequiredService<ISnackbar>().ShownSnackbars);
        Assert.Contains("Tags", offer.Message);
        Assert.Equal("List 15-20 tags.", settings.Prompt);

        snackbars.WaitForAssertion(() => snackbars.FindAll("button").Single(button => button.TextContent.Trim() == "Undo").Click());

        panel.WaitForAssertion(() => Assert.Equal(("cinematic-zh", "Only the faces."), (settings.TemplateId, settings.Prompt)));
        Assert.Equal(3, changes);
    }

    [Fact]
    public async Task FramesTheServerWouldRefuseAreKeptButNotPlanned()
    {
        var (settings, panel) = Render();

        await panel.InvokeAsync(() => panel.FindComponent<AdvancedSettings>().Instance.FramesChanged.InvokeAsync(new FrameOptions { MinFrames = 40, MaxFrames = 8 }));

        Assert.Equal(40, settings.Frames.MinFrames);
        Assert.Equal((1, 0), (changes, replans));
        Assert.True(settings.Edited);
    }
}
