using System.Text.Json;

namespace Narrator.Model.Tests.Text;

public class TokenizeCommandTests
{
    [Fact]
    public async Task Prints_the_ids_of_stdin_as_json()
    {
        var result = await NarratorProcess.RunAsync("Hello, my dog is cute", "tokenize");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("{\"ids\":[9707,11,847,5562,374,18838]}\n", result.Stdout);
    }

    [Fact]
    public async Task Tokenizes_stdin_exactly_including_control_tokens_chinese_and_the_trailing_newline()
    {
        var golden = GoldenTokenizerCases.All.Single(c => c.Text.Contains("<|video_pad|>", StringComparison.Ordinal));
        var result = await NarratorProcess.RunAsync(golden.Text, "tokenize");
        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal(golden.Ids, doc.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }

    [Fact]
    public async Task Empty_stdin_gives_no_ids()
    {
        var result = await NarratorProcess.RunAsync("", "tokenize");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("{\"ids\":[]}\n", result.Stdout);
    }

    [Fact]
    public async Task A_missing_tokenizer_file_is_a_user_error()
    {
        var result = await NarratorProcess.RunAsync("x", "tokenize", "--tokenizer", "/nonexistent/tokenizer.json");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: The tokenizer /nonexistent/tokenizer.json does not exist.\n", result.Stderr);
        Assert.Equal("", result.Stdout);
    }
}
