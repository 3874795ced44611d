using System.Text.Json;
using Narrator.Model.Templates;
using Narrator.Model.Translation;

namespace Narrator.Model.Tests.Templates;

/// <summary>Template output kinds are registered once; parsing, post-processing and translation prompts read the registry.</summary>
public class TemplateOutputKindsTests
{
    [Fact]
    public void Every_output_kind_is_registered_once_under_the_name_its_json_uses()
    {
        Assert.Equal(Enum.GetValues<TemplateOutputKind>(), TemplateOutputKinds.All.Select(info => info.Kind));
        foreach (var info in TemplateOutputKinds.All)
        {
            Assert.Equal(JsonSerializer.Serialize(info.Kind), $"\"{info.Name}\"");
            Assert.Same(info, TemplateOutputKinds.Find(info.Name));
            Assert.Same(info, TemplateOutputKinds.Of(info.Kind));
        }
        Assert.Equal("prose, tags or json", TemplateOutputKinds.NameList);
    }

    [Fact]
    public void An_unknown_output_name_in_a_template_file_lists_the_registered_ones()
    {
        byte[] json = """[{"id":"x","name":"X","prompt":"p","output":"yaml"}]"""u8.ToArray();

        var error = Assert.Throws<UserInputException>(() => TemplateFile.Parse(json, "t.json"));

        Assert.Equal("In t.json, template \"x\" has output \"yaml\"; use prose, tags or json.", error.Message);
    }

    [Fact]
    public void An_unregistered_kind_is_refused_by_the_validator_and_by_the_registry()
    {
        var template = new PromptTemplate { Id = "x", Name = new("X", "X"), Description = new("", ""), Prompt = "p", Output = (TemplateOutputKind)42 };

        Assert.Contains(TemplateValidator.Validate(template), error => error.Setting == "output" && error.Message == "output must be prose, tags or json.");
        Assert.Throws<ArgumentOutOfRangeException>(() => TemplateOutputKinds.Of(template.Output));
    }

    [Fact]
    public void Each_kind_post_processes_its_answers_and_asks_translations_to_keep_its_layout()
    {
        var prose = ProcessedOutput.For(new PromptTemplate { Id = "p", Name = new("P", "P"), Description = new("", ""), Prompt = "p" }, "A man walks in.");
        var tags = ProcessedOutput.For(new PromptTemplate { Id = "t", Name = new("T", "T"), Description = new("", ""), Prompt = "p", Output = TemplateOutputKind.Tags, Tags = TagOptions.Default }, "beach, sunset");

        Assert.Null(prose.Tags);
        Assert.Null(prose.Structured);
        Assert.Equal(2, tags.Tags!.Tags.Count);
        foreach (var info in TemplateOutputKinds.All)
        {
            Assert.Contains(info.TranslationLayout, TranslationPrompt.Build(TranslationLanguages.Find("fr")!, "text", info.Kind), StringComparison.Ordinal);
        }
    }
}
