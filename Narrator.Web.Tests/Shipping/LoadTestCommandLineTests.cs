using System.Diagnostics;

namespace Narrator.Web.Tests.Shipping;

/// <summary>Narrator.LoadTest's command line, run as the program it is: help instead of a crash, a sentence for bad arguments.</summary>
public sealed class LoadTestCommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_the_usage_and_exits_0(string flag)
    {
        var (exitCode, output, errors) = await RunAsync(flag);

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage:", output);
        Assert.Contains("--burst", output);
        Assert.Contains("long CLIP", output);
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("many", "clients must be a whole number above 0 (got \"many\").")]
    [InlineData("10 8 32 2 7", "Too many arguments")]
    [InlineData("--json", "--json needs a file name")]
    public async Task A_bad_argument_is_a_sentence_and_the_usage_with_exit_code_2_not_a_stack_trace(string arguments, string sentence)
    {
        var (exitCode, _, errors) = await RunAsync(arguments.Split(' '));

        Assert.Equal(2, exitCode);
        Assert.Contains(sentence, errors);
        Assert.Contains("Usage:", errors);
        Assert.DoesNotContain("Exception", errors);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Narrator.LoadTest.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
