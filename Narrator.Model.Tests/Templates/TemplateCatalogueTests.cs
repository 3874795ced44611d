using System.Text;
using Narrator.Model.Templates;
using Narrator.Model.Text;
using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Templates;

public sealed class TemplateCatalogueTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("narrator-templates-");

    public void Dispose() => _folder.Delete(recursive: true);

    public static TheoryData<string> ShippedIds => new(TemplateCatalogue.BuiltIn.Templates.Select(t => t.Id));

    [Fact]
    public void Ships_the_eight_templates_in_order()
    {
        Assert.Equal(
            ["cinematic-zh", "description-en", "tags", "sentiment", "ad-analysis", "structured", "t2v-prompt", "i2v-prompt"],
            TemplateCatalogue.BuiltIn.Templates.Select(t => t.Id));
        Assert.Equal("cinematic-zh", TemplateCatalogue.BuiltIn.Default.Id);
    }

    [Theory]
    [MemberData(nameof(ShippedIds))]
    public void Every_shipped_template_validates_and_has_both_languages(string id)
    {
        var template = TemplateCatalogue.BuiltIn.Get(id);
        Assert.Empty(TemplateValidator.Validate(template));
        Assert.False(string.IsNullOrWhiteSpace(template.Name.Zh));
        Assert.False(string.IsNullOrWhiteSpace(template.Name.En));
        Assert.False(string.IsNullOrWhiteSpace(template.Description.Zh));
        Assert.False(string.IsNullOrWhiteSpace(template.Description.En));
        Assert.Equal(PromptTemplate.BuiltInSource, template.Source);
    }

    [Theory]
    [MemberData(nameof(ShippedIds))]
    public void Every_shipped_template_renders_a_prompt_the_tokenizer_round_trips(string id)
    {
        var template = TemplateCatalogue.BuiltIn.Get(id);
        string prompt = template.Render();
        var tokens = new ChatPrompt(QwenTokenizer.Bundled).Build(prompt, VisualBlock.Video(new GridThw(2, 4, 4), 1.0));

        string decoded = QwenTokenizer.Bundled.Decode(tokens.Ids);
        Assert.EndsWith($"<|vision_end|>{prompt}<|im_end|>\n<|im_start|>assistant\n", decoded);
        Assert.Equal(8, tokens.VisualTokenCount);
    }

    [Fact]
    public void Cinematic_prompt_is_the_model_card_text_verbatim()
    {
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "templates", "cinematic-zh.prompt.txt"), Encoding.UTF8);
        Assert.Equal(expected, TemplateCatalogue.BuiltIn.Get("cinematic-zh").Prompt);
        Assert.Equal(expected, TemplateCatalogue.BuiltIn.Get("cinematic-zh").Render());
    }

    [Fact]
    public void Cinematic_defaults_are_the_model_card_recommendations()
    {
        var options = TemplateCatalogue.BuiltIn.Get("cinematic-zh").ResolveOptions();
        Assert.Equal(2.0, options.Frames.Fps);
        Assert.Equal(16, options.Frames.MinFrames);
        Assert.Equal(96, options.Frames.MaxFrames);
        Assert.Equal(784 * 441, options.Frames.MaxPixels);
        Assert.Equal(1536, options.Generation.MaxNewTokens);
    }

    [Fact]
    public void Output_kinds_pick_the_post_processor()
    {
        var catalogue = TemplateCatalogue.BuiltIn;
        Assert.Equal(TemplateOutputKind.Tags, catalogue.Get("tags").Output);
        Assert.Equal(TemplateOutputKind.Json, catalogue.Get("structured").Output);
        Assert.All(["cinematic-zh", "description-en", "sentiment", "ad-analysis", "t2v-prompt", "i2v-prompt"],
            id => Assert.Equal(TemplateOutputKind.Prose, catalogue.Get(id).Output));
        Assert.Equal(TagOrder.AsGenerated, catalogue.Get("tags").Tags!.Order);
    }

    [Fact]
    public void Structured_prompt_asks_for_every_schema_field_and_nothing_but_json()
    {
        string prompt = TemplateCatalogue.BuiltIn.Get("structured").Prompt;
        foreach (var field in StructuredCaptionParser.SceneFields.Concat(StructuredCaptionParser.SubjectFields).Append("subjects"))
        {
            Assert.Contains($"\"{field}\"", prompt);
        }
        Assert.Contains("exactly one JSON object and nothing else", prompt);
    }

    [Fact]
    public void Extra_instructions_are_appended_as_their_own_paragraph()
    {
        var template = TemplateCatalogue.BuiltIn.Get("description-en");
        Assert.Equal(template.Prompt + "\n\nFocus on the dog.", template.Render("  Focus on the dog. "));
    }

    [Fact]
    public void Unknown_template_id_lists_the_known_ones()
    {
        var error = Assert.Throws<UserInputException>(() => TemplateCatalogue.BuiltIn.Get("poem"));
        Assert.Equal(
            "There is no template \"poem\"; known templates: cinematic-zh, description-en, tags, sentiment, ad-analysis, structured, t2v-prompt, i2v-prompt.",
            error.Message);
    }

    [Fact]
    public void Configured_files_add_templates_and_replace_same_id_ones()
    {
        var file = Write("extra.json", """
            {
              "templates": [
                { "id": "haiku", "name": { "zh": "俳句", "en": "Haiku" }, "prompt": ["Describe the clip as a haiku.", "Three lines."],
                  "defaults": { "maxNewTokens": 64, "temperature": 0.7 } },
                { "id": "tags", "name": "Tags (short)", "output": "tags", "prompt": "List 5 tags.", "tags": { "maxCount": 5, "order": "alphabetical" } }
              ]
            }
            """);
        var catalogue = TemplateCatalogue.Load(new TemplateCatalogueOptions { Files = [file] });

        Assert.Equal(9, catalogue.Templates.Count);
        Assert.Equal("tags", catalogue.Templates[2].Id);
        Assert.Equal("List 5 tags.", catalogue.Get("tags").Prompt);
        Assert.Equal(5, catalogue.Get("tags").Tags!.MaxCount);
        var haiku = catalogue.Get("haiku");
        Assert.Equal("Describe the clip as a haiku.\nThree lines.", haiku.Prompt);
        Assert.Equal(file, haiku.Source);
        var options = haiku.ResolveOptions();
        Assert.Equal(64, options.Generation.MaxNewTokens);
        Assert.Equal(0.7f, options.Generation.Temperature);
        Assert.Equal(96, options.Frames.MaxFrames);
    }

    [Theory]
    [InlineData("""{"templates":[{"id":"x1","name":"X","prompt":"p","defaults":{"max_frames":8}}]}""",
        "In {0}, template \"x1\" has an unknown setting \"max_frames\" (known: fps, minFrames, maxFrames, nFrames, minPixels, maxPixels, maxNewTokens, temperature, topP, topK, repetitionPenalty, seed).")]
    [InlineData("""{"templates":[{"id":"x1","name":"X","prompt":"p","defaults":{"fps":45,"maxNewTokens":0}}]}""",
        "In {0}, template \"x1\": fps must be greater than 0 and at most 30 (got 45). maxNewTokens must be between 1 and 8192 (got 0).")]
    [InlineData("""{"templates":[{"id":"x1","name":"X","prompt":"p"},{"id":"x1","name":"Y","prompt":"q"}]}""",
        "In {0}, template \"x1\" appears twice.")]
    [InlineData("""{"templates":[{"id":"x1","name":"X","prompt":"p","output":"yaml"}]}""",
        "In {0}, template \"x1\" has output \"yaml\"; use prose, tags or json.")]
    [InlineData("""{"templates":[{"name":"X","prompt":"p"}]}""",
        "In {0}, template 0 has no id.")]
    [InlineData("""{"items":[]}""",
        "The template file {0} has no \"templates\" array.")]
    public void Broken_template_files_are_clear_errors(string json, string expected)
    {
        var file = Write("broken.json", json);
        var error = Assert.Throws<UserInputException>(() => TemplateCatalogue.Load(new TemplateCatalogueOptions { Files = [file] }));
        Assert.Equal(string.Format(expected, file), error.Message);
    }

    [Fact]
    public void A_missing_template_file_names_the_path()
    {
        var path = Path.Combine(_folder.FullName, "nope.json");
        var error = Assert.Throws<UserInputException>(() => TemplateCatalogue.Load(new TemplateCatalogueOptions { Files = [path] }));
        Assert.StartsWith($"Cannot read the template file {path}:", error.Message);
    }

    [Fact]
    public void Localized_text_follows_the_ui_culture()
    {
        var name = TemplateCatalogue.BuiltIn.Get("tags").Name;
        Assert.Equal("标签", name.For("zh-CN"));
        Assert.Equal("Tags", name.For("en-US"));
        Assert.Equal("Tags", name.For(null));
        Assert.Equal("Only", new LocalizedText("", "Only").For("zh"));
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
