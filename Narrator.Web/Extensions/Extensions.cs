using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Narrator.Model.Engines;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Subtitles;
using Narrator.Web.Api;
using Narrator.Web.Hubs;
using Narrator.Web.Services;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Engine;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Preprocessing;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Search;
using Narrator.Web.Services.Subtitles;
using Narrator.Web.Services.Templates;
using Narrator.Web.Services.Visitors;
using Narrator.Web.Security;
using Narrator.Model.Templates;
using Scalar.AspNetCore;

namespace Narrator.Web.Extensions;

/// <summary>Wiring of the serving side: options, engine, uploads, preprocessing, queue, history, hub, HTTP API.</summary>
public static class Extensions
{
    public static IHostApplicationBuilder AddNarratorServing(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        AddValidatedOptions<NarratorOptions>(services, NarratorOptions.Section);
        AddValidatedOptions<ModelOptions>(services, ModelOptions.Section);
        AddValidatedOptions<UploadOptions>(services, UploadOptions.Section);
        AddValidatedOptions<QueueOptions>(services, QueueOptions.Section);
        AddValidatedOptions<RateLimitOptions>(services, RateLimitOptions.Section);
        AddValidatedOptions<HistoryOptions>(services, HistoryOptions.Section);
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddSingleton<AdminAccess>();
        services.AddSingleton<IValidateOptions<ModelOptions>, ModelOptionsValidator>();
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            foreach (string address in proxy.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(address));
            }
            foreach (string network in proxy.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        services.AddOptions<SegmentationOptions>().BindConfiguration(SegmentationOptionsValidator.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SegmentationOptions>, SegmentationOptionsValidator>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<DataFolder>();
        services.AddSingleton<NarratorDatabase>();
        services.AddSingleton<NarrationHistory>();
        services.AddSingleton<NarrationJournal>();
        // Before the engine and the worker: started first (old rows marked interrupted before anyone asks), stopped last
        // (so what the shutdown ended is still written).
        services.AddHostedService(sp => sp.GetRequiredService<NarrationJournal>());

        // One ffmpeg runner for everything that reads a visitor's media: one place for the tool paths and the allow-lists.
        services.AddOptions<FfmpegOptions>().BindConfiguration(FfmpegOptions.Section);
        services.AddSingleton(sp => new FfmpegLocator(sp.GetRequiredService<IOptions<FfmpegOptions>>().Value.Folder));
        services.AddSingleton(sp => new FfmpegRunner(sp.GetRequiredService<FfmpegLocator>(), sp.GetRequiredService<ILogger<FfmpegRunner>>()));
        services.AddSingleton(sp => new MediaProber(sp.GetRequiredService<FfmpegRunner>(), sp.GetRequiredService<ILogger<MediaProber>>()));
        services.AddSingleton(sp => new FrameExtractor(sp.GetRequiredService<FfmpegRunner>(), sp.GetRequiredService<ILogger<FrameExtractor>>()));
        services.AddSingleton<ClipFiles>();
        services.AddSingleton(sp => new MediaPreparer(
            sp.GetRequiredService<MediaProber>(), sp.GetRequiredService<FrameExtractor>(), sp.GetRequiredService<ILogger<MediaPreparer>>()));
        services.AddSingleton<PreprocessingPool>();
        services.AddSingleton<PreviewMaker>();
        services.AddSingleton(sp => new SubtitleStreamReader(sp.GetRequiredService<FfmpegRunner>(), sp.GetRequiredService<ILogger<SubtitleStreamReader>>()));
        services.AddSingleton<ClipStore>();
        services.AddSingleton<ClipSubtitles>();
        services.AddHostedService<ClipExpiry>();
        services.AddSingleton<IClipPreparer, ClipPreparer>();
        services.AddSingleton(sp => new VideoSegmenter(
            new SceneCutDetector(sp.GetRequiredService<FfmpegRunner>(), sp.GetRequiredService<ILogger<SceneCutDetector>>()),
            sp.GetRequiredService<ILogger<VideoSegmenter>>()));
        services.AddSingleton<ClipSegmentations>();
        services.AddSingleton<IMediaWorkRunner>(sp => new ModelQueueMediaWork(sp.GetRequiredService<PreprocessingPool>()));

        services.AddSingleton(sp => new QueueEtaEstimator(sp.GetRequiredService<IOptions<QueueOptions>>().Value.AssumedTokensPerSecond));
        services.AddOptions<TemplateCatalogueOptions>().BindConfiguration("Narrator:Templates");
        services.AddSingleton(sp => TemplateCatalogue.Load(sp.GetRequiredService<IOptions<TemplateCatalogueOptions>>().Value));
        services.AddSingleton<CustomTemplateStore>();
        services.AddSingleton<TemplateLibrary>();
        services.AddSingleton<NarrationQueue>();
        services.AddSingleton<NarrationService>();
        services.AddSingleton<NarrationExporter>();
        services.AddSingleton<LongVideoNarrator>();
        services.AddSingleton<Narrator.Web.Services.Workspaces.WorkspaceStore>();
        services.AddSingleton<Narrator.Web.Services.Sharing.ShareLinks>();
        services.AddSingleton<QueuedTranslator>();
        services.AddSingleton<NarrationSearch>();
        services.AddScoped<CircuitVisitor>();
        services.AddScoped<NarrationSession>();

        services.AddSingleton<INarrationEngineFactory, OnnxEngineFactory>();
        // Scale-out engine (Narrator:Engine = openai); its settings are validated only when it is the chosen engine.
        services.AddOptions<OpenAiCompatibleOptions>().BindConfiguration(OpenAiCompatibleOptions.Section);
        services.AddSingleton<INarrationEngineFactory, OpenAiEngineFactory>();
        services.AddSingleton<EngineHost>();
        services.AddHostedService(sp => sp.GetRequiredService<EngineHost>());
        services.AddHostedService<NarrationWorker>();

        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddSignalR().AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ApiProblemDefaults.Customize);
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddSingleton<ClientRateLimits>();
        services.AddRateLimiter(ClientRateLimits.Configure);
        services.AddOpenApi();
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

    private static void AddValidatedOptions<T>(IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
