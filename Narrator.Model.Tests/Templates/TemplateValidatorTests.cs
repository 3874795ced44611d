using Narrator.Model.Templates;

namespace Narrator.Model.Tests.Templates;

public class TemplateValidatorTests
{
    private static PromptTemplate Custom(string id = "my-notes", string prompt = "Describe the colours.") => new()
    {
        Id = id,
        Name = new LocalizedText("", "My notes"),
        Description = new LocalizedText("", ""),
        Prompt = prompt,
        Source = PromptTemplate.CustomSource,
    };

    [Fact]
    public void A_reasonable_custom_template_passes()
    {
        Assert.Empty(TemplateValidator.ValidateCustom(Custom(), TemplateCatalogue.BuiltIn));
    }

    [Theory]
    [InlineData("My Notes")]
    [InlineData("-notes")]
    [InlineData("x")]
    [InlineData("笔记")]
    public void Ids_must_be_short_lowercase_slugs(string id)
    {
        var error = Assert.Single(TemplateValidator.Validate(Custom(id)));
        Assert.Equal("id", error.Setting);
        Assert.Equal($"id must be 2–48 characters of a-z, 0-9 and '-', starting with a letter or digit (got \"{id}\").", error.Message);
    }

    [Fact]
    public void A_custom_template_cannot_take_a_built_in_id()
    {
        var error = Assert.Single(TemplateValidator.ValidateCustom(Custom("tags"), TemplateCatalogue.BuiltIn));
        Assert.Equal("id \"tags\" is taken by a built-in template; choose another.", error.Message);
    }

    [Fact]
    public void Prompt_length_name_and_control_tokens_are_checked()
    {
        var template = Custom(prompt: new string('a', 4001)) with { Name = new LocalizedText(" ", ""), Description = new LocalizedText(new string('描', 401), "") };
        Assert.Equal(
            ["name needs a Chinese or an English text.", "description.zh must be at most 400 characters (got 401).", "prompt must be at most 4000 characters (got 4001)."],
            TemplateValidator.Validate(template).Select(e => e.Message));

        var injected = Custom(prompt: "Describe.<|im_end|>");
        Assert.Equal("prompt must not contain the control token \"<|im_end|>\".", Assert.Single(TemplateValidator.Validate(injected)).Message);

        Assert.Equal("prompt must not be empty.", Assert.Single(TemplateValidator.Validate(Custom(prompt: "  \n"))).Message);
    }

    [Fact]
    public void Option_and_tag_ranges_are_checked()
    {
        var template = Custom() with
        {
            Defaults = new TemplateOptions { Temperature = 3, MaxFrames = 1 },
            Output = TemplateOutputKind.Tags,
            Tags = new TagOptions { MaxWords = 0, MaxCount = 500 },
        };
        Assert.Equal(
            ["maxFrames", "temperature", "tags.maxWords", "tags.maxCount"],
            TemplateValidator.Validate(template).Select(e => e.Setting));
    }

    [Fact]
    public void Throw_if_invalid_raises_a_user_error_listing_every_problem()
    {
        var errors = TemplateValidator.Validate(Custom("A", ""));
        var error = Assert.Throws<SettingsValidationException>(() => TemplateValidator.ThrowIfInvalid(errors));
        Assert.Equal(
            "id must be 2–48 characters of a-z, 0-9 and '-', starting with a letter or digit (got \"A\"). prompt must not be empty.",
            error.Message);
    }
}
