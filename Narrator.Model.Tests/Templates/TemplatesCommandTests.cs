using System.Text.Json;
using Narrator.Model.Tests.Text;

namespace Narrator.Model.Tests.Templates;

public class TemplatesCommandTests
{
    [Fact]
    public async Task Json_lists_every_template_with_names_prompt_options_and_output_kind()
    {
        var result = await NarratorProcess.RunAsync(null, "templates", "--json");
        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Stdout);
        var templates = doc.RootElement.GetProperty("templates").EnumerateArray().ToList();
        Assert.Equal(8, templates.Count);

        var cinematic = templates[0];
        Assert.Equal("cinematic-zh", cinematic.GetProperty("id").GetString());
        Assert.Equal("电影叙述（Qwen-VL-Narrator）", cinematic.GetProperty("name").GetProperty("zh").GetString());
        Assert.Equal("Cinematic narration (Qwen-VL-Narrator)", cinematic.GetProperty("name").GetProperty("en").GetString());
        Assert.False(string.IsNullOrEmpty(cinematic.GetProperty("description").GetProperty("en").GetString()));
        Assert.Equal("prose", cinematic.GetProperty("output").GetString());
        var expectedPrompt = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "templates", "cinematic-zh.prompt.txt"));
        Assert.Equal(expectedPrompt, cinematic.GetProperty("prompt").GetString());
        var options = cinematic.GetProperty("options");
        Assert.Equal(2.0, options.GetProperty("frames").GetProperty("fps").GetDouble());
        Assert.Equal(96, options.GetProperty("frames").GetProperty("maxFrames").GetInt32());
        Assert.Equal(345744, options.GetProperty("frames").GetProperty("maxPixels").GetInt32());
        Assert.Equal(1536, options.GetProperty("generation").GetProperty("maxNewTokens").GetInt32());

        Assert.Equal("tags", templates[2].GetProperty("output").GetString());
        Assert.Equal("json", templates[5].GetProperty("output").GetString());
        Assert.Contains("\"structured\"", result.Stdout);
        Assert.DoesNotContain("\\u", result.Stdout);
    }

    [Fact]
    public async Task Without_json_prints_one_line_per_template()
    {
        var result = await NarratorProcess.RunAsync(null, "templates");
        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(8, lines.Length);
        Assert.Equal("cinematic-zh    prose  Cinematic narration (Qwen-VL-Narrator) · 电影叙述（Qwen-VL-Narrator）", lines[0]);
        Assert.StartsWith("structured      json ", lines[5]);
    }

    [Fact]
    public async Task A_broken_extra_file_is_a_user_error()
    {
        var file = Path.Combine(Path.GetTempPath(), $"narrator-bad-templates-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"templates":[{"id":"x1","name":"X","prompt":"p","defaults":{"topP":0}}]}""");
        try
        {
            var result = await NarratorProcess.RunAsync(null, "templates", "--file", file);
            Assert.Equal(2, result.ExitCode);
            Assert.Equal($"error: In {file}, template \"x1\": topP must be greater than 0 and at most 1 (got 0).\n", result.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
