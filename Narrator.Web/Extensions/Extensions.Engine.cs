using Narrator.Web.Services.Engine;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Extensions;

public static partial class Extensions
{
    /// <summary>The engine (in-process ONNX, or a remote OpenAI-compatible one), its host and the worker that feeds it from the queue.</summary>
    public static IServiceCollection AddNarratorEngine(this IServiceCollection services)
    {
        services.AddSingleton<INarrationEngineFactory, OnnxEngineFactory>();
        services.AddSingleton<INarrationEngineFactory, OpenAiEngineFactory>();
        services.AddSingleton<EngineHost>();
        services.AddHostedService(sp => sp.GetRequiredService<EngineHost>());
        services.AddHostedService<NarrationWorker>();
        return services;
    }
}
