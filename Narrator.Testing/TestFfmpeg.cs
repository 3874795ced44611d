using Narrator.Model.Media;

namespace Narrator.Testing;

/// <summary>
/// Runs ffmpeg (the tools the app would find: <see cref="FfmpegTools.Default"/>) to make test media from its lavfi
/// sources, so tests and the load program need no media outside the repository.
/// </summary>
public static class TestFfmpeg
{
    /// <summary>Runs ffmpeg quietly (errors only, no stdin, overwriting) with <paramref name="arguments"/>; throws with its errors when it fails.</summary>
    public static Task RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        string[] given = [.. arguments];
        return TestProcess.RunAsync(FfmpegTools.Default.FfmpegPath, ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", .. given],
            $"ffmpeg {string.Join(' ', given)} failed making test media", captureErrors: true, cancellationToken);
    }
}
