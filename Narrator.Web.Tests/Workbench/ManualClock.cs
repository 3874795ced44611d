namespace Narrator.Web.Tests.Workbench;

/// <summary>A clock whose timestamps move only when the test says (timers still run on the system clock).</summary>
public sealed class ManualClock : TimeProvider
{
    public long Ticks { get; set; }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Ticks;

    public void Advance(TimeSpan by) => Ticks += by.Ticks;
}
