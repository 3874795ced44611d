using Microsoft.JSInterop;

namespace Narrator.Web.Components.Interop;

/// <summary>Language and theme as kept in the browser's local storage.</summary>
public sealed record SavedPreferences(bool Chinese, bool Dark);

/// <summary>The page's own JavaScript module (wwwroot/narrator.js): clipboard, file download, seeking the preview, page language and theme, scrolling, keyboard shortcuts.</summary>
public sealed class NarratorScript(IJSRuntime js) : IAsyncDisposable
{
    public const string ModulePath = "./narrator.js";

    private Task<IJSObjectReference>? _module;

    public async Task CopyTextAsync(string text, CancellationToken cancellationToken = default) =>
        await (await ModuleAsync()).InvokeVoidAsync("copyText", cancellationToken, text);

    public async Task DownloadTextAsync(string fileName, string mimeType, string text, CancellationToken cancellationToken = default) =>
        await (await ModuleAsync()).InvokeVoidAsync("downloadText", cancellationToken, fileName, mimeType, text);

    public async Task SeekAsync(Microsoft.AspNetCore.Components.ElementReference media, double seconds, CancellationToken cancellationToken = default) =>
        await (await ModuleAsync()).InvokeVoidAsync("seekMedia", cancellationToken, media, seconds);

    public async Task SetDocumentLanguageAsync(string tag, CancellationToken cancellationToken = default) =>
        await (await ModuleAsync()).InvokeVoidAsync("setDocumentLanguage", cancellationToken, tag);

    /// <summary>The saved language and theme, or the browser's own preferences on a first visit.</summary>
    public async Task<SavedPreferences> LoadPreferencesAsync(CancellationToken cancellationToken = default) =>
        await (await ModuleAsync()).InvokeAsync<SavedPreferences>("loadPreferences", cancellationToken);

    public async Task SavePreferencesAsync(bool chinese, bool dark, CancellationToken cancellationToken = default) =>
        await (await ModuleAsync()).InvokeVoidAsync("savePreferences", cancellationToken, chinese, dark);

    /// <summary>The output box scrolls with the growing text until the reader scrolls up.</summary>
    public async Task FollowOutputAsync(Microsoft.AspNetCore.Components.ElementReference box, CancellationToken cancellationToken = default) =>
        await (await ModuleAsync()).InvokeVoidAsync("followOutput", cancellationToken, box);

    /// <summary>Scrolls the window so the element is visible ("nearest": only as far as needed; "start": to the top).</summary>
    public async Task BringIntoViewAsync(Microsoft.AspNetCore.Components.ElementReference element, string block = "nearest", CancellationToken cancellationToken = default) =>
        await (await ModuleAsync()).InvokeVoidAsync("bringIntoView", cancellationToken, element, block);

    /// <summary>A segment was chosen: its text (inside the output box) and the player both come into view.</summary>
    public async Task ShowSegmentAsync(Microsoft.AspNetCore.Components.ElementReference? player, string itemSelector, CancellationToken cancellationToken = default) =>
        await (await ModuleAsync()).InvokeVoidAsync("showSegment", cancellationToken, player, itemSelector);

    /// <summary>Document-wide Esc and Ctrl+Enter, reported to <paramref name="page"/>'s <c>OnShortcut</c>; dispose the result to stop.</summary>
    public async Task<IJSObjectReference> RegisterShortcutsAsync(object page, CancellationToken cancellationToken = default) =>
        await (await ModuleAsync()).InvokeAsync<IJSObjectReference>("registerShortcuts", cancellationToken, page);

    /// <summary>Arrow keys, Home/End, Space and Enter for a role=radiogroup of cards.</summary>
    public async Task RadioGroupKeysAsync(Microsoft.AspNetCore.Components.ElementReference group, CancellationToken cancellationToken = default) =>
        await (await ModuleAsync()).InvokeVoidAsync("radioGroupKeys", cancellationToken, group);

    private Task<IJSObjectReference> ModuleAsync() => _module ??= js.InvokeAsync<IJSObjectReference>("import", ModulePath).AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_module is { IsCompletedSuccessfully: true })
        {
            try
            {
                await _module.Result.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone and the module with it.
            }
        }
    }
}
