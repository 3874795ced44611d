using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Workbench;

public class RenderPacerTests
{
    /// <summary>A clock that moves only when told to.</summary>
    private readonly ManualClock _clock = new();
    private readonly TaskCompletionSource _delay = new();
    private TimeSpan? _requestedDelay;
    private int _renders;

    private RenderPacer CreatePacer() => new(
        () => { _renders++; return Task.CompletedTask; },
        TimeSpan.FromMilliseconds(30),
        _clock,
        wait => { _requestedDelay = wait; return _delay.Task; });

    [Fact]
    public async Task FirstChangeRendersAtOnce()
    {
        RenderPacer pacer = CreatePacer();

        await pacer.RequestAsync();

        Assert.Equal(1, _renders);
        Assert.Null(pacer.Trailing);
    }

    [Fact]
    public async Task BurstWithinTheIntervalRendersOnceMoreAfterwards()
    {
        RenderPacer pacer = CreatePacer();
        await pacer.RequestAsync();

        _clock.Advance(TimeSpan.FromMilliseconds(10));
        await pacer.RequestAsync();
        await pacer.RequestAsync();
        await pacer.RequestAsync();

        Assert.Equal(1, _renders);
        Assert.NotNull(pacer.Trailing);
        Assert.Equal(TimeSpan.FromMilliseconds(20), _requestedDelay);

        Task trailing = pacer.Trailing!;
        _delay.SetResult();
        await trailing;
        Assert.Equal(2, _renders);
    }

    [Fact]
    public async Task ChangeAfterTheIntervalRendersAtOnce()
    {
        RenderPacer pacer = CreatePacer();
        await pacer.RequestAsync();

        _clock.Advance(TimeSpan.FromMilliseconds(31));
        await pacer.RequestAsync();

        Assert.Equal(2, _renders);
        Assert.Null(pacer.Trailing);
    }

    [Fact]
    public async Task FlushRendersEvenInsideTheInterval()
    {
        RenderPacer pacer = CreatePacer();
        await pacer.RequestAsync();

        await pacer.FlushAsync();

        Assert.Equal(2, _renders);
    }
}
