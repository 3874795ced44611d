using System.Diagnostics;

namespace Narrator.Testing;

/// <summary>Runs a helper program for tests and the load program (ffmpeg making media, the load clients) and waits for it.</summary>
public static class TestProcess
{
    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/>; cancelling kills its whole tree. A non-zero exit
    /// throws with <paramref name="failure"/>, the exit code and what it wrote to stderr when <paramref name="captureErrors"/>.
    /// </summary>
    public static async Task RunAsync(string program, IEnumerable<string> arguments, string failure, bool captureErrors,
        CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = captureErrors, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Path.GetFileName(program)} could not be started.");
        var errors = captureErrors ? process.StandardError.ReadToEndAsync(CancellationToken.None) : Task.FromResult("");
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
        {
            string said = await errors;
            throw new InvalidOperationException($"{failure} (exit code {process.ExitCode}){(said.Length > 0 ? ": " + said.Trim() : ".")}");
        }
    }
}
