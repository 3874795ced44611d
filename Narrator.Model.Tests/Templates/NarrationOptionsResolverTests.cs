using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Templates;

namespace Narrator.Model.Tests.Templates;

public class NarrationOptionsResolverTests
{
    [Fact]
    public void No_layers_give_narrator_defaults()
    {
        var options = NarrationOptionsResolver.Resolve(null);
        Assert.Equal(new FrameOptions(), options.Frames);
        Assert.Equal(new GenerationOptions(), options.Generation);
    }

    [Fact]
    public void Template_defaults_override_narrator_defaults_and_user_overrides_win()
    {
        var template = new TemplateOptions { MaxFrames = 48, MaxNewTokens = 200, Temperature = 0.3f };
        var user = new TemplateOptions { MaxNewTokens = 64, Seed = 7 };

        var options = NarrationOptionsResolver.Resolve(template, user);

        Assert.Equal(48, options.Frames.MaxFrames);            // template
        Assert.Equal(16, options.Frames.MinFrames);            // Narrator
        Assert.Equal(64, options.Generation.MaxNewTokens);     // user beats template
        Assert.Equal(0.3f, options.Generation.Temperature);    // template
        Assert.Equal(7, options.Generation.Seed);              // user
        Assert.Equal(1.05f, options.Generation.RepetitionPenalty); // Narrator
    }

    [Fact]
    public void Full_records_become_a_layer_that_sets_everything()
    {
        var layer = TemplateOptions.From(new FrameOptions { Fps = 1 }, new GenerationOptions { TopK = 5 });
        var options = NarrationOptionsResolver.Resolve(new TemplateOptions { MaxFrames = 48, MaxNewTokens = 10 }, layer);
        Assert.Equal(1, options.Frames.Fps);
        Assert.Equal(96, options.Frames.MaxFrames);
        Assert.Equal(1536, options.Generation.MaxNewTokens);
        Assert.Equal(5, options.Generation.TopK);
    }

    [Theory]
    [InlineData("fps", "fps must be greater than 0 and at most 30 (got 0).")]
    [InlineData("minFrames", "minFrames must be between 2 and 768 (got 1).")]
    [InlineData("maxFrames", "maxFrames must be between 2 and 768 (got 1000).")]
    [InlineData("nFrames", "nFrames must be between 2 and 768 (got 1).")]
    [InlineData("maxPixels", "maxPixels must be between 3136 and 12845056 (got 100).")]
    [InlineData("minPixels", "minPixels must be between 3136 and 12845056 (got 99999999).")]
    [InlineData("maxNewTokens", "maxNewTokens must be between 1 and 8192 (got 9000).")]
    [InlineData("temperature", "temperature must be between 0 and 2 (got 2.5).")]
    [InlineData("topP", "topP must be greater than 0 and at most 1 (got 0).")]
    [InlineData("topK", "topK must be 0 (off) or more (got -1).")]
    [InlineData("repetitionPenalty", "repetitionPenalty must be between 1 and 2 (got 0.9).")]
    [InlineData("seed", "seed must be 0 or more (got -3).")]
    public void Out_of_range_settings_are_named_in_the_error(string setting, string message)
    {
        var overrides = setting switch
        {
            "fps" => new TemplateOptions { Fps = 0 },
            "minFrames" => new TemplateOptions { MinFrames = 1 },
            "maxFrames" => new TemplateOptions { MaxFrames = 1000 },
            "nFrames" => new TemplateOptions { NFrames = 1 },
            "maxPixels" => new TemplateOptions { MaxPixels = 100 },
            "minPixels" => new TemplateOptions { MinPixels = 99_999_999, MaxPixels = 12_845_056 },
            "maxNewTokens" => new TemplateOptions { MaxNewTokens = 9000 },
            "temperature" => new TemplateOptions { Temperature = 2.5f },
            "topP" => new TemplateOptions { TopP = 0 },
            "topK" => new TemplateOptions { TopK = -1 },
            "repetitionPenalty" => new TemplateOptions { RepetitionPenalty = 0.9f },
            _ => new TemplateOptions { Seed = -3 },
        };

        var error = Assert.Throws<SettingsValidationException>(() => NarrationOptionsResolver.Resolve(null, overrides));

        var only = Assert.Single(error.Errors);
        Assert.Equal(setting, only.Setting);
        Assert.Equal(message, only.Message);
        Assert.Equal(message, error.Message);
        Assert.IsAssignableFrom<UserInputException>(error);
    }

    [Fact]
    public void Not_a_number_is_out_of_range()
    {
        var error = Assert.Throws<SettingsValidationException>(() => NarrationOptionsResolver.Resolve(null, new TemplateOptions { Fps = double.NaN }));
        Assert.Equal("fps", Assert.Single(error.Errors).Setting);
    }

    [Fact]
    public void Min_frames_above_max_frames_after_merging_is_an_error()
    {
        var error = Assert.Throws<SettingsValidationException>(
            () => NarrationOptionsResolver.Resolve(new TemplateOptions { MinFrames = 32 }, new TemplateOptions { MaxFrames = 24 }));
        Assert.Equal("minFrames (32) must not exceed maxFrames (24).", error.Message);
    }

    [Fact]
    public void Every_bad_setting_is_reported_at_once()
    {
        var error = Assert.Throws<SettingsValidationException>(
            () => NarrationOptionsResolver.Resolve(null, new TemplateOptions { Fps = 31, TopP = 1.5f }));
        Assert.Equal(["fps", "topP"], error.Errors.Select(e => e.Setting));
        Assert.Equal("fps must be greater than 0 and at most 30 (got 31). topP must be greater than 0 and at most 1 (got 1.5).", error.Message);
    }

    [Fact]
    public void Boundary_values_are_accepted()
    {
        var options = NarrationOptionsResolver.Resolve(null, new TemplateOptions
        {
            Fps = 30, MinFrames = 2, MaxFrames = 768, MaxPixels = 16384 * 28 * 28, MinPixels = 4 * 28 * 28,
            MaxNewTokens = 8192, Temperature = 2, TopP = 1, TopK = 0, RepetitionPenalty = 2, Seed = 0,
        });
        Assert.Equal(768, options.Frames.MaxFrames);
        Assert.Equal(2f, options.Generation.RepetitionPenalty);
    }
}
