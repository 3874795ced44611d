using Microsoft.JSInterop;

namespace Narrator.Web.Components.Interop;

/// <summary>Language and theme as kept in the browser's local storage.</summary>
public sealed record SavedPreferences(bool Chinese, bool Dark);

/// <summary>The page's own JavaScript module (wwwroot/narrator.js): clipboard, file download, seeking the preview, page language.</summary>
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
