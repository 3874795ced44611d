using System.Diagnostics;

namespace Narrator.Model.Tests.Shipping;

/// <summary>Runs the <c>dotnet</c> that hosts the tests against this repository's files (MSBuild evaluation, restores).</summary>
internal static class DotnetInRepository
{
    public static string Root { get; } = FindRoot();

    public static async Task<(int ExitCode, string Output)> RunAsync(TimeSpan timeout, params string[] args)
    {
        // The test host sets DOTNET_HOST_PATH to the dotnet that runs it; fall back to PATH.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // A child msbuild must not join (or leave behind) a node of the build that runs these tests.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        using var process = Process.Start(start)!;
        using var cancel = new CancellationTokenSource(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cancel.Token);
        var stderr = process.StandardError.ReadToEndAsync(cancel.Token);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish within {timeout}.");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Narrator.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Narrator.sln not found above {AppContext.BaseDirectory}.");
    }
}
