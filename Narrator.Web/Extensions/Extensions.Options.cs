using Microsoft.Extensions.Options;
using Narrator.Model.Segmentation;
using Narrator.Model.Engines;
using Narrator.Model.Templates;
using Narrator.Web.Api;
using Narrator.Web.Services;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Engine;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Extensions;

public static partial class Extensions
{
    /// <summary>Every settings section, bound and validated at start so a wrong value fails the boot with a sentence.</summary>
    public static IServiceCollection AddNarratorOptions(this IServiceCollection services)
    {
        AddValidatedOptions<NarratorOptions>(services, NarratorOptions.Section);
        AddValidatedOptions<ModelOptions>(services, ModelOptions.Section);
        services.AddSingleton<IValidateOptions<ModelOptions>, ModelOptionsValidator>();
        AddValidatedOptions<UploadOptions>(services, UploadOptions.Section);
        AddValidatedOptions<QueueOptions>(services, QueueOptions.Section);
        AddValidatedOptions<RateLimitOptions>(services, RateLimitOptions.Section);
        AddValidatedOptions<HistoryOptions>(services, HistoryOptions.Section);
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>(ConfigureForwardedHeaders);
        services.AddOptions<SegmentationOptions>().BindConfiguration(SegmentationOptionsValidator.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SegmentationOptions>, SegmentationOptionsValidator>();
        services.AddOptions<FfmpegOptions>().BindConfiguration(FfmpegOptions.Section);
        services.AddOptions<TemplateCatalogueOptions>().BindConfiguration("Narrator:Templates");
        // Scale-out engine (Narrator:Engine = openai); its settings are validated only when it is the chosen engine.
        services.AddOptions<OpenAiCompatibleOptions>().BindConfiguration(OpenAiCompatibleOptions.Section);
        return services;
    }

    /// <summary>Forwarded headers are trusted only from the configured proxies and networks.</summary>
    private static void ConfigureForwardedHeaders(ForwardedHeadersOptions forwarded, IOptions<ProxyOptions> proxy)
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
    }

    private static void AddValidatedOptions<T>(IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
