using System.Globalization;

namespace Narrator.Model.Exports;

/// <summary>Subtitle timestamps: <c>HH:MM:SS,mmm</c> for SRT and <c>HH:MM:SS.mmm</c> for WebVTT, and a compact one for people.</summary>
public static class SubtitleClock
{
    public static string Srt(double seconds) => Format(seconds, ',');

    public static string WebVtt(double seconds) => Format(seconds, '.');

    /// <summary>Whole milliseconds, rounded half away from zero, never negative, so cue boundaries computed the same way line up.</summary>
    public static long Milliseconds(double seconds) =>
        double.IsFinite(seconds) && seconds > 0 ? (long)Math.Round(seconds * 1000, MidpointRounding.AwayFromZero) : 0;

    private static string Format(double seconds, char millisecondSeparator)
    {
        long ms = Milliseconds(seconds);
        long hours = ms / 3_600_000;
        int minutes = (int)(ms / 60_000 % 60);
        int secs = (int)(ms / 1000 % 60);
        int millis = (int)(ms % 1000);
        return string.Create(CultureInfo.InvariantCulture, $"{hours:00}:{minutes:00}:{secs:00}{millisecondSeparator}{millis:000}");
    }
}
