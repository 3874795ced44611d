using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Narrator.Web.Components.Interop;

/// <summary>
/// The Space page's use of <see cref="NarratorScript"/>: its document-wide keyboard shortcuts, the page language, and
/// scrolling. Scrolling is a nicety: when the browser refuses or has gone, that is logged and nothing else changes.
/// </summary>
public sealed class PageScript(IJSRuntime js, ILogger logger) : IAsyncDisposable
{
    private readonly NarratorScript _script = new(js);
    private IJSObjectReference? _shortcuts;

    /// <summary>Esc and Ctrl+Enter from anywhere on the page go to <paramref name="page"/>'s <c>OnShortcut</c>.</summary>
    public async Task RegisterShortcutsAsync(object page)
    {
        try
        {
            _shortcuts = await _script.RegisterShortcutsAsync(page);
        }
        catch (JSException ex)
        {
            logger.LogDebug(ex, "Keyboard shortcuts could not be registered");
        }
    }

    public Task SetDocumentLanguageAsync(string tag) => _script.SetDocumentLanguageAsync(tag);

    /// <summary>Scrolls the window so <paramref name="element"/> is visible ("nearest": only as far as needed; "start": to the top).</summary>
    public Task BringIntoViewAsync(ElementReference? element, string block = "nearest") =>
        element is { } target ? ScrollAsync(script => script.BringIntoViewAsync(target, block)) : Task.CompletedTask;

    /// <summary>A segment was chosen: its text (inside the output box) and the player both come into view.</summary>
    public Task ShowSegmentAsync(ElementReference? player, int segmentIndex) =>
        ScrollAsync(script => script.ShowSegmentAsync(player, $"#output-segment-{segmentIndex}"));

    private async Task ScrollAsync(Func<NarratorScript, Task> scroll)
    {
        try
        {
            await scroll(_script);
        }
        catch (Exception ex) when (ex is JSException or JSDisconnectedException)
        {
            logger.LogDebug(ex, "Could not scroll");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_shortcuts is not null)
        {
            try
            {
                await _shortcuts.InvokeVoidAsync("dispose");
                await _shortcuts.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The page is gone and its listener with it.
            }
        }
        await _script.DisposeAsync();
    }
}
