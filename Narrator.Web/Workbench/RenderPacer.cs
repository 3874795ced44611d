namespace Narrator.Web.Workbench;

/// <summary>
/// Caps how often streamed tokens re-render the page: the first change after a quiet spell renders at once,
/// a burst renders at most once per interval, and the end of a burst always renders (a trailing render).
/// Call it from the renderer's synchronisation context, like any component code.
/// </summary>
public sealed class RenderPacer(Func<Task> render, TimeSpan interval, TimeProvider time, Func<TimeSpan, Task>? delay = null)
{
    private readonly Func<TimeSpan, Task> _delay = delay ?? (wait => Task.Delay(wait, time));
    private long? _lastRender;

    /// <summary>The scheduled trailing render, if one is pending.</summary>
    public Task? Trailing { get; private set; }

    /// <summary>Something changed: render now when the interval has passed, otherwise make sure one render follows.</summary>
    public Task RequestAsync()
    {
        long now = time.GetTimestamp();
        if (_lastRender is not long last || time.GetElapsedTime(last, now) >= interval)
        {
            _lastRender = now;
            return render();
        }
        Trailing ??= RenderAfterAsync(interval - time.GetElapsedTime(last, now));
        return Task.CompletedTask;
    }

    /// <summary>Renders now whatever the interval says (the stream ended).</summary>
    public Task FlushAsync()
    {
        _lastRender = time.GetTimestamp();
        return render();
    }

    private async Task RenderAfterAsync(TimeSpan wait)
    {
        await _delay(wait);
        Trailing = null;
        _lastRender = time.GetTimestamp();
        await render();
    }
}
