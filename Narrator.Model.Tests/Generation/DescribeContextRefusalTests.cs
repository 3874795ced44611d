using Narrator.Model.Tests.Segmentation;
using Narrator.Model.Tests.Text;

namespace Narrator.Model.Tests.Generation;

/// <summary>`narrator describe` refuses a request the model's context cannot hold with one error line, before any frame is decoded.</summary>
public sealed class DescribeContextRefusalTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("narrator-describe-context-").FullName;

    private string Clip => Path.Combine(folder, "clip.mp4");

    private string Model => Path.Combine(folder, "model");

    public async Task InitializeAsync()
    {
        await SceneClip.WriteAsync(Clip, [("testsrc", 2)]);
        await DemoModel.WriteAsync(Model, 1, contextTokens: 120);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_clip_whose_prompt_and_new_tokens_pass_the_context_is_one_error_line_with_the_numbers()
    {
        // 4 small frames (a few dozen visual tokens) and up to 100 new tokens: more than the 120 the model holds.
        var result = await NarratorProcess.RunAsync(null, ["describe", Clip, "--model", Model, "--provider", "cpu", "--nframes", "4",
            "--min-pixels", "12544", "--max-pixels", "12544", "--max-new-tokens", "100", "--prompt", "Describe it."]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        string error = Assert.Single(result.Stderr.Split('\n'), line => line.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Matches(@"^error: This request needs \d+ prompt tokens \(\d+ of them for the frames\) plus up to 100 new tokens, \d+ in all, but the model holds 120 tokens per request; use fewer frames", error);
        Assert.DoesNotContain("input:", result.Stderr, StringComparison.Ordinal);
    }
}
