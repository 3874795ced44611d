using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Templates;
using Narrator.Web.Services.Workspaces;
using Narrator.Web.Tests.Components;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Workbench;

/// <summary>The page's choices for the next narration, without a browser: templates, prompt, settings, workspace, request.</summary>
public sealed class WorkbenchSettingsTests
{
    private const int ServerTokenLimit = 2048;

    private static readonly PromptTemplate Dense = new()
    {
        Id = "dense",
        Name = new("密集", "Dense"),
        Description = new("每秒四帧。", "Four frames a second."),
        Prompt = "Describe every moment.",
        Defaults = new TemplateOptions { Fps = 4, MaxNewTokens = 300 },
    };

    private static readonly IReadOnlyList<PromptTemplate> Templates = [.. SampleData.Templates, Dense];

    private static WorkbenchSettings Loaded()
    {
        var settings = new WorkbenchSettings(SegmentationMode.Scenes, ServerTokenLimit);
        settings.UseTemplates(Templates);
        return settings;
    }

    [Fact]
    public void LoadingTheCatalogueSelectsTheDefaultTemplateWithItsPromptAndSettings()
    {
        var settings = Loaded();

        Assert.Equal(TemplateCatalogue.DefaultTemplateId, settings.TemplateId);
        Assert.Equal("要求：描述画面。", settings.Prompt);
        Assert.Equal(new FrameOptions(), settings.Frames);
        Assert.False(settings.Edited);
        Assert.Empty(settings.Problems);
    }

    [Fact]
    public void ATemplateBringsItsOwnSettingsAndSaysTheFramesChanged()
    {
        var settings = Loaded();

        TemplateSwitch change = settings.SelectTemplate("dense")!;

        Assert.True(change.FramesChanged);
        Assert.Null(change.ReplacedPrompt);
        Assert.Equal(4, settings.Frames.Fps);
        Assert.Equal(300, settings.Generation.MaxNewTokens);
        Assert.Equal("Describe every moment.", settings.Prompt);
    }

    [Fact]
    public void SwitchingAwayFromAnEditedPromptCanBeUndoneTemplateAndAll()
    {
        var settings = Loaded();
        settings.ChangePrompt("Only the faces.");

        TemplateSwitch change = settings.SelectTemplate("tags")!;
        Assert.Equal("List 15-20 tags.", settings.Prompt);
        Assert.Equal(("cinematic-zh", "Only the faces."), change.ReplacedPrompt);

        settings.Undo(change);
        Assert.Equal("cinematic-zh", settings.TemplateId);
        Assert.Equal("Only the faces.", settings.Prompt);
    }

    [Fact]
    public void AnUnknownTemplateChangesNothing()
    {
        var settings = Loaded();

        Assert.Null(settings.SelectTemplate("no-such-template"));
        Assert.Equal("cinematic-zh", settings.TemplateId);
    }

    [Fact]
    public void SettingsEditedByHandSurviveATemplateSwitchUntilReset()
    {
        var settings = Loaded();
        settings.ChangeGeneration(new GenerationOptions { MaxNewTokens = 64 });

        settings.SelectTemplate("dense");
        Assert.Equal(64, settings.Generation.MaxNewTokens);
        Assert.Equal(2.0, settings.Frames.Fps);

        Assert.True(settings.Reset());
        Assert.False(settings.Edited);
        Assert.Equal(300, settings.Generation.MaxNewTokens);
        Assert.Equal(4, settings.Frames.Fps);
        Assert.False(settings.Reset());
    }

    [Fact]
    public void FramesTheServerWouldRefuseAreNamedNotPlannedAndUploadsUseTheTemplatesInstead()
    {
        var settings = Loaded();

        Assert.False(settings.ChangeFrames(new FrameOptions { MinFrames = 40, MaxFrames = 8 }));
        Assert.NotEmpty(settings.Problems);
        Assert.Equal(new FrameOptions(), settings.ValidFramesOrDefault);

        Assert.True(settings.ChangeFrames(new FrameOptions { MaxFrames = 8, MinFrames = 4 }));
        Assert.Equal(8, settings.ValidFramesOrDefault.MaxFrames);
    }

    [Fact]
    public void MoreNewTokensThanThisServerAllowsIsAProblem()
    {
        var settings = Loaded();

        settings.ChangeGeneration(new GenerationOptions { MaxNewTokens = ServerTokenLimit + 1 });

        Assert.Equal("maxNewTokens", Assert.Single(settings.Problems).Setting);
    }

    [Fact]
    public void ARequestLeavesATemplatesOwnPromptToTheTemplateAndCarriesTheChoices()
    {
        var settings = Loaded();
        settings.SplitMode = SegmentationMode.Fixed;
        settings.SubtitleChoice = "off";

        var request = settings.Request("clip1");
        Assert.Equal("clip1", request.ClipId);
        Assert.Equal("cinematic-zh", request.Template);
        Assert.Null(request.Prompt);
        Assert.Equal("fixed", request.Split);
        Assert.Equal("off", request.Subtitles);

        settings.ChangePrompt("Only the faces.");
        Assert.Equal("Only the faces.", settings.Request("clip1").Prompt);
    }

    [Fact]
    public void ACompareSideRunsWithItsOwnTemplatesSettings()
    {
        var settings = Loaded();
        settings.ChangeGeneration(new GenerationOptions { MaxNewTokens = 64 });

        var request = settings.Request("clip1", "dense", "Describe every moment.", settings.OptionsOf("dense"));

        Assert.Null(request.Prompt);
        Assert.Equal(4, request.Frames!.Fps);
        Assert.Equal(300, request.Generation!.MaxNewTokens);
    }

    [Fact]
    public void TheWorkspaceRoundTripsEveryChoice()
    {
        var settings = Loaded();
        settings.SelectTemplate("tags");
        settings.ChangePrompt("Ten tags.");
        settings.ChangeFrames(new FrameOptions { MaxFrames = 32 });
        settings.SplitMode = SegmentationMode.Fixed;
        settings.SubtitleChoice = "stream:2";

        VisitorWorkspace saved = settings.ToWorkspace("clip1", "n1");
        var reopened = Loaded();
        reopened.Restore(saved);

        Assert.Equal(("clip1", "n1"), (saved.ClipId, saved.NarrationId));
        Assert.Equal(saved, reopened.ToWorkspace("clip1", "n1"));
        Assert.Equal("Ten tags.", reopened.Prompt);
        Assert.Equal(32, reopened.Frames.MaxFrames);
        Assert.True(reopened.Edited);
        Assert.Equal(SegmentationMode.Fixed, reopened.SplitMode);
    }

    [Fact]
    public void AWorkspaceWithoutHandEditsKeepsTheTemplatesSettingsAndTheServersSplitDefault()
    {
        var settings = Loaded();

        settings.Restore(new VisitorWorkspace { TemplateId = "dense", Frames = new FrameOptions { MaxFrames = 8 } });

        Assert.Equal("dense", settings.TemplateId);
        Assert.Equal(4, settings.Frames.Fps);
        Assert.Equal(96, settings.Frames.MaxFrames);
        Assert.Null(settings.SplitModeChoice);
        Assert.Equal(SegmentationMode.Scenes, settings.SplitMode);
        Assert.Null(settings.ToWorkspace(null, null).Prompt);
    }

    [Fact]
    public void ARerunTakesTheStoredSettingsButKeepsTheSelectionForAnUnknownTemplate()
    {
        var settings = Loaded();
        var record = SampleData.Record() with { Template = "gone", Prompt = "Old prompt.", Options = new(new FrameOptions { MaxFrames = 12 }, new GenerationOptions()) };

        settings.UseSettingsOf(record);

        Assert.Equal("cinematic-zh", settings.TemplateId);
        Assert.Equal("Old prompt.", settings.Prompt);
        Assert.Equal(12, settings.Frames.MaxFrames);
        Assert.True(settings.Edited);
    }
}
