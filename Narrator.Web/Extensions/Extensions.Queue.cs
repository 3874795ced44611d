using Microsoft.Extensions.Options;
using Narrator.Model.Templates;
using Narrator.Web.Services;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Templates;
using Narrator.Web.Services.Visitors;

namespace Narrator.Web.Extensions;

public static partial class Extensions
{
    /// <summary>Narrations: the templates, the queue in front of the engine and what is built on it (long videos, translations, exports, the page's session).</summary>
    public static IServiceCollection AddNarratorQueue(this IServiceCollection services)
    {
        services.AddSingleton(sp => TemplateCatalogue.Load(sp.GetRequiredService<IOptions<TemplateCatalogueOptions>>().Value));
        services.AddSingleton<TemplateLibrary>();
        services.AddSingleton(sp => new QueueEtaEstimator(sp.GetRequiredService<IOptions<QueueOptions>>().Value.AssumedTokensPerSecond));
        services.AddSingleton<NarrationQueue>();
        services.AddSingleton<NarrationLocks>();
        services.AddSingleton<NarrationService>();
        services.AddSingleton<NarrationExporter>();
        services.AddSingleton<LongVideoNarrator>();
        services.AddSingleton<QueuedTranslator>();
        services.AddScoped<CircuitVisitor>();
        services.AddScoped<NarrationSession>();
        return services;
    }
}
