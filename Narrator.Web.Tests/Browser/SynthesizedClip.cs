using System.Globalization;

namespace Narrator.Web.Tests.Browser;

/// <summary>Test media made on the spot with ffmpeg's lavfi sources, so browser tests need nothing outside the repository.</summary>
public static class SynthesizedClip
{
    /// <summary>An H.264 MP4 of a moving test pattern: <paramref name="seconds"/> long at <paramref name="fps"/>.</summary>
    public static async Task<string> VideoAsync(string folder, string name, double seconds, int fps = 25, int width = 320, int height = 240)
    {
        string path = Path.Combine(folder, name);
        await RunFfmpegAsync(
            "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc2=d={seconds}:s={width}x{height}:r={fps}"),
            "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", path);
        return path;
    }

    /// <summary>A 64x48 H.264 MP4 of <paramref name="seconds"/> with <paramref name="srt"/> (SubRip text) as its mov_text subtitle stream.</summary>
    public static async Task<string> VideoWithSubtitlesAsync(string folder, string name, double seconds, string srt)
    {
        string path = Path.Combine(folder, name);
        string subtitles = Path.ChangeExtension(path, ".srt");
        await File.WriteAllTextAsync(subtitles, srt);
        await RunFfmpegAsync(
            "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc2=d={seconds}:s=64x48:r=10"), "-i", subtitles,
            "-map", "0:v", "-map", "1:s", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-c:s", "mov_text", path);
        return path;
    }

    /// <summary>A file with a video extension whose bytes are not media at all.</summary>
    public static string NotAVideo(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, "These are meeting notes, not a video.\n");
        return path;
    }

    private static Task RunFfmpegAsync(params string[] arguments) => TestFfmpeg.RunAsync(arguments);
}
