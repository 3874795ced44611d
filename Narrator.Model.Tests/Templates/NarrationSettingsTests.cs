using System.Reflection;
using System.Text;
using System.Text.Json;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Templates;

namespace Narrator.Model.Tests.Templates;

/// <summary>Each frame and sampling setting is declared once in <see cref="NarrationSettings"/>; layering, validation and templates.json walk it.</summary>
public class NarrationSettingsTests
{
    /// <summary>A value in range for each setting, different from Narrator's default, so a lost value shows.</summary>
    private static readonly Dictionary<string, double> InRange = new()
    {
        ["fps"] = 1.5, ["minFrames"] = 8, ["maxFrames"] = 40, ["nFrames"] = 12, ["minPixels"] = 4 * 28 * 28, ["maxPixels"] = 640 * 360,
        ["maxNewTokens"] = 99, ["temperature"] = 0.5, ["topP"] = 0.75, ["topK"] = 20, ["repetitionPenalty"] = 1.25, ["seed"] = 7,
    };

    [Fact]
    public void Every_property_of_the_option_layer_is_a_declared_setting_and_every_setting_is_a_property()
    {
        var properties = typeof(TemplateOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(property => JsonNamingPolicy.CamelCase.ConvertName(property.Name));

        Assert.Equal(properties.Order(StringComparer.Ordinal), NarrationSettings.All.Select(setting => setting.Name).Order(StringComparer.Ordinal));
        Assert.Equal(InRange.Keys.Order(StringComparer.Ordinal), NarrationSettings.All.Select(setting => setting.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_setting_travels_from_templates_json_through_layering_to_the_full_options_and_back_unchanged()
    {
        foreach (var setting in NarrationSettings.All)
        {
            double value = InRange[setting.Name];
            var layer = TemplateFile.ReadOptions(JsonDocument.Parse($"{{\"{setting.Name}\": {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}").RootElement, "t.json", "template x");
            Assert.Equal(value, setting.ValueIn(layer)!.Value, 5);
            Assert.All(NarrationSettings.All.Where(other => other != setting), other => Assert.Null(other.ValueIn(layer)));

            var resolved = NarrationOptionsResolver.Resolve(TemplateOptions.None, layer);
            Assert.Equal(value, setting.ValueIn(resolved)!.Value, 5);

            var back = TemplateOptions.From(resolved.Frames, resolved.Generation);
            Assert.Equal(value, setting.ValueIn(back)!.Value, 5);
            Assert.Equal(resolved, back.ApplyTo(new NarrationOptions(new FrameOptions(), new GenerationOptions())));
        }
    }

    [Fact]
    public void An_upper_layer_wins_only_for_the_settings_it_sets()
    {
        var lower = NarrationSettings.All.Aggregate(TemplateOptions.None, (layer, setting) => setting.Set(layer, InRange[setting.Name]));
        var upper = new TemplateOptions { TopK = 3 };

        var merged = upper.Over(lower);

        Assert.Equal(3, merged.TopK);
        Assert.All(NarrationSettings.All.Where(setting => setting != NarrationSettings.TopK),
            setting => Assert.Equal(setting.ValueIn(lower), setting.ValueIn(merged)));
        Assert.Equal(typeof(TemplateOptions), merged.GetType());
    }

    [Fact]
    public void A_null_record_leaves_its_settings_to_the_layer_below()
    {
        var layer = TemplateOptions.From(null, new GenerationOptions { TopK = 5 });

        Assert.All(NarrationSettings.All.Where(setting => setting.Group == SettingGroup.Frames), setting => Assert.Null(setting.ValueIn(layer)));
        Assert.Equal(5, layer.TopK);
        Assert.Equal(1536, layer.MaxNewTokens);
    }

    [Theory]
    [InlineData("fps", 31, "fps must be greater than 0 and at most 30 (got 31).")]
    [InlineData("fps", 0, "fps must be greater than 0 and at most 30 (got 0).")]
    [InlineData("minFrames", 1, "minFrames must be between 2 and 768 (got 1).")]
    [InlineData("nFrames", 1000, "nFrames must be between 2 and 768 (got 1000).")]
    [InlineData("maxPixels", 100, "maxPixels must be between 3136 and 12845056 (got 100).")]
    [InlineData("maxNewTokens", 0, "maxNewTokens must be between 1 and 8192 (got 0).")]
    [InlineData("temperature", 2.5, "temperature must be between 0 and 2 (got 2.5).")]
    [InlineData("topP", 0, "topP must be greater than 0 and at most 1 (got 0).")]
    [InlineData("topK", -1, "topK must be 0 (off) or more (got -1).")]
    [InlineData("repetitionPenalty", 0.5, "repetitionPenalty must be between 1 and 2 (got 0.5).")]
    [InlineData("seed", -3, "seed must be 0 or more (got -3).")]
    public void An_out_of_range_value_is_named_with_its_range_and_the_value_given(string name, double value, string message)
    {
        var setting = NarrationSettings.Find(name)!;

        var error = Assert.Throws<SettingsValidationException>(() => NarrationOptionsResolver.Resolve(null, setting.Set(TemplateOptions.None, value)));

        var only = Assert.Single(error.Errors);
        Assert.Equal(name, only.Setting);
        Assert.Equal(message, only.Message);
    }

    [Fact]
    public void Crossed_pixel_bounds_are_reported_once_both_are_in_range()
    {
        var error = Assert.Throws<SettingsValidationException>(() =>
            NarrationOptionsResolver.Resolve(null, new TemplateOptions { MinPixels = 960 * 540, MaxPixels = 640 * 360 }));

        Assert.Equal("minPixels (518400) must not exceed maxPixels (230400).", Assert.Single(error.Errors).Message);
        Assert.Equal(["maxPixels"], NarrationOptionsResolver.Validate(new TemplateOptions { MinPixels = 960 * 540, MaxPixels = 1 }
            .ApplyTo(new NarrationOptions(new FrameOptions(), new GenerationOptions()))).Select(e => e.Setting));
    }

    [Fact]
    public void A_whole_number_setting_refuses_a_fraction_in_templates_json()
    {
        var json = JsonDocument.Parse(Encoding.UTF8.GetBytes("""{"topK": 2.5}""")).RootElement;

        var error = Assert.Throws<UserInputException>(() => TemplateFile.ReadOptions(json, "t.json", "template \"x\""));

        Assert.Equal("In t.json, template \"x\" has topK that is not a whole number.", error.Message);
    }
}
