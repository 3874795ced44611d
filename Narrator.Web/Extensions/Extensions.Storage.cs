using Narrator.Web.Services;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Search;
using Narrator.Web.Services.Sharing;
using Narrator.Web.Services.Templates;
using Narrator.Web.Services.Workspaces;

namespace Narrator.Web.Extensions;

public static partial class Extensions
{
    /// <summary>The data folder and what is kept in it across restarts: the database, history, journal, workspaces, share links, custom templates.</summary>
    public static IServiceCollection AddNarratorStorage(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<DataFolder>();
        services.AddSingleton<NarratorDatabase>();
        services.AddSingleton<NarrationHistory>();
        services.AddSingleton<NarrationJournal>();
        // Before the engine and the worker: started first (old rows marked interrupted before anyone asks), stopped last
        // (so what the shutdown ended is still written).
        services.AddHostedService(sp => sp.GetRequiredService<NarrationJournal>());
        services.AddSingleton<NarrationSearch>();
        services.AddSingleton<WorkspaceStore>();
        services.AddSingleton<ShareLinks>();
        services.AddSingleton<CustomTemplateStore>();
        return services;
    }
}
