using Narrator.Model.Exports;

namespace Narrator.Model.Tests.Exports;

public class SubtitleClockTests
{
    [Theory]
    [InlineData(0.0, "00:00:00,000")]
    [InlineData(1.5, "00:00:01,500")]
    [InlineData(59.9996, "00:01:00,000")]
    [InlineData(3661.042, "01:01:01,042")]
    [InlineData(36000.0, "10:00:00,000")]
    [InlineData(-2.0, "00:00:00,000")]
    public void Srt_times_are_hours_minutes_seconds_comma_milliseconds(double seconds, string expected) =>
        Assert.Equal(expected, SubtitleClock.Srt(seconds));

    [Theory]
    [InlineData(0.0, "00:00:00.000")]
    [InlineData(12.48, "00:00:12.480")]
    [InlineData(5025.5, "01:23:45.500")]
    public void WebVtt_times_use_a_full_stop_before_the_milliseconds(double seconds, string expected) =>
        Assert.Equal(expected, SubtitleClock.WebVtt(seconds));
}
