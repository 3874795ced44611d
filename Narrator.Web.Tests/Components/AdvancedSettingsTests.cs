using Bunit;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Web.Components.Prompt;

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
    public void AValidFrameChangeIsRaised()
    {
        FrameOptions? raised = null;
        var settings = RenderSettings(onFrames: value => raised = value);

        settings.Find("input[data-testid=setting-max-frames]").Change("32");

        Assert.Equal(new FrameOptions { MaxFrames = 32 }, raised);
    }

    [Fact]
    public void MinFramesAboveMaxIsShownAndNotRaised()
    {
        FrameOptions? raised = null;
        var settings = RenderSettings(onFrames: value => raised = value);

        settings.Find("input[data-testid=setting-min-frames]").Change("120");

        Assert.Null(raised);
        Assert.Equal("Min frames cannot be more than max frames.", settings.Find("[data-testid=settings-error]").TextContent.Trim());
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
    public void ResetReturnsToDefaults()
    {
        FrameOptions? frames = null;
        GenerationOptions? generation = null;
        var settings = RenderSettings(value => frames = value, value => generation = value, new FrameOptions { Fps = 4 });

        settings.Find("[data-testid=reset-settings]").Click();

        Assert.Equal(new FrameOptions(), frames);
        Assert.Equal(new GenerationOptions(), generation);
    }
}
