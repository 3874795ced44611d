using Microsoft.Extensions.Options;
using Narrator.Web.Api;
using Narrator.Web.Hubs;
using Narrator.Web.Security;
using Narrator.Web.Services;
using Narrator.Web.Services.Visitors;
using Scalar.AspNetCore;

namespace Narrator.Web.Extensions;

/// <summary>Wiring of the serving side: options, storage, media, clips, queue, engine, HTTP (AddNarratorServing), the pipeline and the endpoints.</summary>
public static partial class Extensions
{
    /// <summary>Everything the serving side needs, one concern at a time (each group is its own file beside this one).</summary>
    public static IHostApplicationBuilder AddNarratorServing(this IHostApplicationBuilder builder)
    {
        builder.Services
            .AddNarratorOptions()
            .AddNarratorStorage()
            .AddNarratorMedia()
            .AddNarratorClips()
            .AddNarratorQueue()
            .AddNarratorEngine()
            .AddNarratorHttp();
        return builder;
    }

    /// <summary>
    /// Forwarded headers when behind a proxy, the security headers and the visitor cookie on every response, error
    /// handling for the API (ProblemDetails) and the page (error page), then rate limiting.
    /// </summary>
    public static WebApplication UseNarratorPipeline(this WebApplication app)
    {
        // First, so the queue's owners, the rate limits and the logs all see the visitor rather than the proxy.
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.ForwardedHeaders)
        {
            app.UseForwardedHeaders();
        }
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<VisitorCookie>();
        app.UseWhen(IsApi, api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
        });
        app.UseWhen(context => !IsApi(context), page =>
        {
            if (!app.Environment.IsDevelopment())
            {
                page.UseExceptionHandler("/Error", createScopeForErrors: true);
            }
            page.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        });
        // Routing after the status-code pages: a re-executed 404 is routed again to /not-found (with the implicit routing at
        // the start it kept the original endpoint and answered an empty body).
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapNarratorApis(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapHealthApi();
        app.MapClipsApi();
        app.MapNarrationsApi();
        app.MapClipSubtitlesApi();
        app.MapSearchApi();
        app.MapTemplatesApi();
        app.MapSharesApi();
        // The OpenAPI document for people, served from the package (no CDN), its inline start-up script under this response's nonce.
        app.MapScalarApiReference(ApiReferenceRoute, (options, context) => options
            .WithTitle("Narrator API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .WithNonce(SecurityHeaders.NonceOf(context) ?? ""));
        app.MapHub<NarrationHub>(NarrationHub.Route);
        return app;
    }

    /// <summary>Where the interactive API reference (Scalar) is served.</summary>
    public const string ApiReferenceRoute = "/api-reference";

    private static bool IsApi(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/hubs")
        || context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz");
}
