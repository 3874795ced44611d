using Microsoft.Extensions.Options;
using Narrator.Web.Tests.Queue;

namespace Narrator.Web.Tests.Services;

/// <summary>A wrong setting stops the app at start with a message that names the setting.</summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Narrator:Queue:Capacity", "0")]
    [InlineData("Narrator:Queue:PerOwnerLimit", "-3")]
    [InlineData("Narrator:Uploads:MaxBytes", "0")]
    [InlineData("Narrator:Uploads:MaxDurationSeconds", "-1")]
    [InlineData("Narrator:RateLimits:StartsPerMinute", "0")]
    [InlineData("Narrator:DataPath", "")]
    [InlineData("Narrator:Model:ExecutionProvider:VisionMemoryBudgetBytes", "0")]
    public void An_out_of_range_setting_fails_start_naming_it(string key, string value)
    {
        var error = Assert.ThrowsAny<OptionsValidationException>(() => new NarratorServer(new Dictionary<string, string?> { [key] = value }, new ScriptedChatClient()));

        Assert.Contains(key, error.Message);
    }

    [Theory]
    [InlineData("Narrator:Segmentation:MaxSegmentSeconds", "6", "maximum segment length (6 s) must be at least twice the minimum (5 s)")]
    [InlineData("Narrator:Segmentation:LongVideoSeconds", "0", "long-video limit must be a positive number")]
    [InlineData("Narrator:Segmentation:SceneThreshold", "1.5", "scene threshold must lie strictly between 0 and 1")]
    public void Long_video_settings_that_cannot_split_a_video_fail_start_saying_why(string key, string value, string reason)
    {
        var error = Assert.ThrowsAny<OptionsValidationException>(() => new NarratorServer(new Dictionary<string, string?> { [key] = value }, new ScriptedChatClient()));

        Assert.Contains("Narrator:Segmentation", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_model_path_that_does_not_exist_fails_start_with_the_path()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N"));

        var error = Assert.ThrowsAny<OptionsValidationException>(() => new NarratorServer(new Dictionary<string, string?> { ["Narrator:Model:Path"] = missing }));

        Assert.Contains("Narrator:Model:Path", error.Message);
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void An_unknown_engine_fails_start_listing_the_known_ones()
    {
        var error = Assert.ThrowsAny<Exception>(() => new NarratorServer(new Dictionary<string, string?> { ["Narrator:Engine"] = "warp-drive" }));

        Assert.Contains("Narrator:Engine is \"warp-drive\"", error.Message);
        Assert.Contains("onnx", error.Message);
    }
}
