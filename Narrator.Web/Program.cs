using MudBlazor.Services;
using Narrator.Web.Components;
using Narrator.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddNarratorServing();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
// Language and theme per circuit, started from the preference cookie by the root component.
builder.Services.AddScoped<Narrator.Web.Components.Layout.UiPreferences>();

var app = builder.Build();

app.UseNarratorPipeline();
app.MapStaticAssets();
app.MapNarratorApis();
// The security-headers middleware sends the whole Content-Security-Policy (frame-ancestors included), so Blazor adds none of its own.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);

app.Run();

/// <summary>Entry point type, public so WebApplicationFactory can host the app in tests.</summary>
public partial class Program;
