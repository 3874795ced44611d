using Bunit;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Templates;
using Narrator.Web.Components.Prompt;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Components;

public class AdvancedSettingsTests : MudTestContext
{
    private IRenderedComponent<AdvancedSettings> RenderSettings(
        Action<FrameOptions>? onFrames = null, Action<GenerationOptions>? onGeneration = null, FrameOptions? frames = null) =>
        RenderEnglish<AdvancedSettings>(p => p
            .Add(x => x.Expanded, true)
            .Add(x => x.Frames, frames ?? new FrameOptions())
            .Add(x => x.Generation, new GenerationOptions())
            .Add(x => x.FramesChanged, (FrameOptions value) => onFrames?.Invoke(value))
            .Add(x => x.GenerationChanged, (GenerationOptions value) => onGeneration?.Invoke(value)));

    private static string InputValue(IRenderedComponent<AdvancedSettings> settings, string testId) =>
        settings.Find($"input[data-testid={testId}]").GetAttribute("value") ?? "";

    [Fact]
    public void StartsFromTheNarratorDefaults()
    {
        var settings = RenderSettings();

        Assert.Equal("2", InputValue(settings, "setting-fps"));
        Assert.Equal("16", InputValue(settings, "setting-min-frames"));
        Assert.Equal("96", InputValue(settings, "setting-max-frames"));
        Assert.Equal("1536", InputValue(settings, "setting-max-new-tokens"));
        Assert.Equal("0", InputValue(settings, "setting-temperature"));
        Assert.Equal("1", InputValue(settings, "setting-top-p"));
        Assert.Equal("0", InputValue(settings, "setting-top-k"));
        Assert.Equal("1.05", InputValue(settings, "setting-repetition-penalty"));
        Assert.Equal("", InputValue(settings, "setting-seed"));
        Assert.Equal("784×441 (Narrator)", settings.Find("[data-testid=setting-max-pixels]").GetAttribute("value"));
    }

    [Fact]
    public void AFrameChangeIsRaisedAsTyped()
    {
        FrameOptions? raised = null;
        var settings = RenderSettings(onFrames: value => raised = value);

        settings.Find("input[data-testid=setting-max-frames]").Change("32");

        Assert.Equal(new FrameOptions { MaxFrames = 32 }, raised);
    }

    [Fact]
    public void OutOfRangeValuesAreRaisedUnclampedSoThePageCanExplainThem()
    {
        FrameOptions? frames = null;
        GenerationOptions? generation = null;
        var settings = RenderSettings(value => frames = value, value => generation = value);

        settings.Find("input[data-testid=setting-fps]").Change("1000");
        settings.Find("input[data-testid=setting-seed]").Change("-42");

        Assert.Equal(1000, frames?.Fps);
        Assert.Equal(-42, generation?.Seed);
    }

    [Fact]
    public void EachProblemIsExplainedUnderItsFieldWithACount()
    {
        var frames = new FrameOptions { Fps = 1000, MinFrames = 120, MaxFrames = 32 };
        var generation = new GenerationOptions { Seed = -42 };
        var problems = SettingsCheck.Problems(frames, generation, maxNewTokensLimit: 2048);

        var settings = RenderEnglish<AdvancedSettings>(p => p
            .Add(x => x.Expanded, true)
            .Add(x => x.Frames, frames)
            .Add(x => x.Generation, generation)
            .Add(x => x.Problems, problems));

        Assert.Contains("fps must be greater than 0 and at most 30 (got 1000).", settings.Markup);
        Assert.Contains("minFrames (120) must not exceed maxFrames (32).", settings.Markup);
        Assert.Contains("seed must be 0 or more (got -42).", settings.Markup);
        Assert.Equal("3 settings need fixing before Describe.", settings.Find("[data-testid=settings-error]").TextContent.Trim());
        // The values stay as typed.
        Assert.Equal("1000", InputValue(settings, "setting-fps"));
        Assert.Equal("-42", InputValue(settings, "setting-seed"));
    }

    [Fact]
    public void GenerationChangesAreRaised()
    {
        GenerationOptions? raised = null;
        var settings = RenderSettings(onGeneration: value => raised = value);

        settings.Find("input[data-testid=setting-seed]").Change("42");

        Assert.Equal(42, raised?.Seed);
        Assert.Equal(1536, raised?.MaxNewTokens);
    }

    [Fact]
    public void ResetNamesTheTemplateAndIsOffWhileTheValuesAreTheTemplates()
    {
        int resets = 0;
        var values = new NarrationOptions(new FrameOptions { Fps = 1 }, new GenerationOptions { MaxNewTokens = 256 });
        var settings = RenderEnglish<AdvancedSettings>(p => p
            .Add(x => x.Expanded, true)
            .Add(x => x.Frames, values.Frames)
            .Add(x => x.Generation, values.Generation)
            .Add(x => x.TemplateValues, values)
            .Add(x => x.TemplateName, "Tags")
            .Add(x => x.OnReset, () => resets++));

        var reset = settings.Find("[data-testid=reset-settings]");
        Assert.Equal("Reset to Tags's values", reset.TextContent.Trim());
        Assert.True(reset.HasAttribute("disabled"));

        settings.Render(p => p.Add(x => x.Frames, new FrameOptions { Fps = 4 }));
        settings.Find("[data-testid=reset-settings]").Click();
        Assert.Equal(1, resets);
    }
}

public class SettingsCheckTests
{
    [Fact]
    public void SettingsTheServerAcceptsHaveNoProblems() =>
        Assert.Empty(SettingsCheck.Problems(new FrameOptions(), new GenerationOptions(), 2048));

    [Fact]
    public void MaxNewTokensOverThisServersLimitIsAProblemEvenInsideTheModelsRange()
    {
        var problem = Assert.Single(SettingsCheck.Problems(new FrameOptions(), new GenerationOptions { MaxNewTokens = 4096 }, 2048));

        Assert.Equal("maxNewTokens", problem.Setting);
        Assert.Contains("at most 2048", problem.Message);
    }

    [Fact]
    public void ChineseNamesTheRangeWithoutTheApiWording()
    {
        var problem = Assert.Single(SettingsCheck.Problems(new FrameOptions { Fps = 1000 }, new GenerationOptions(), 2048));

        Assert.Equal("每秒帧数须大于 0 且不超过 30。", Narrator.Web.Localization.UiText.Chinese.SettingProblem(problem));
    }
}
