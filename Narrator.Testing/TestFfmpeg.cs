using System.Diagnostics;
using Narrator.Model.Media;

namespace Narrator.Testing;

/// <summary>
/// Runs ffmpeg (the tools the app would find: <see cref="FfmpegTools.Default"/>) to make test media from its lavfi
/// sources, so tests and the load program need no media outside the repository.
/// </summary>
public static class TestFfmpeg
{
    /// <summary>Runs ffmpeg quietly (errors only, no stdin, overwriting) with <paramref name="arguments"/>; throws with its errors when it fails.</summary>
    public static async Task RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        string[] given = [.. arguments];
        var start = new ProcessStartInfo(FfmpegTools.Default.FfmpegPath) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])["-hide_banner", "-loglevel", "error", "-nostdin", "-y", .. given])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg could not be started.");
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
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
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', given)} failed making test media: {await errors}");
        }
    }
}
