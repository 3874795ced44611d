using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Narrator.Web.Components.Layout;
using Narrator.Web.Localization;

namespace Narrator.Web.Tests.Components;

/// <summary>A bUnit context with MudBlazor's services, loose JS interop and the page's cascading UiText.</summary>
public abstract class MudTestContext : BunitContext, IAsyncLifetime
{
    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // MudBlazor registers services that only dispose asynchronously; xunit v2 would otherwise dispose synchronously.
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();

    protected MudTestContext()
    {
        Services.AddMudServices();
        Services.AddScoped<UiPreferences>();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>Renders a component with <paramref name="text"/> cascaded, as MainLayout does.</summary>
    protected IRenderedComponent<T> RenderWith<T>(UiText text, Action<ComponentParameterCollectionBuilder<T>>? parameters = null)
        where T : Microsoft.AspNetCore.Components.IComponent =>
        Render<T>(builder =>
        {
            builder.AddCascadingValue(text);
            parameters?.Invoke(builder);
        });

    protected IRenderedComponent<T> RenderEnglish<T>(Action<ComponentParameterCollectionBuilder<T>>? parameters = null)
        where T : Microsoft.AspNetCore.Components.IComponent => RenderWith(UiText.English, parameters);
}
