using System.Text.Json.Serialization;
using Narrator.Web.Api;

namespace Narrator.Web.Extensions;

public static partial class Extensions
{
    /// <summary>What the HTTP API and the hub speak: enums as text, ProblemDetails for every error, rate limits, admin access, OpenAPI.</summary>
    public static IServiceCollection AddNarratorHttp(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddSignalR().AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ApiProblemDefaults.Customize);
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddSingleton<AdminAccess>();
        services.AddSingleton<ClientRateLimits>();
        services.AddRateLimiter(ClientRateLimits.Configure);
        services.AddOpenApi();
        return services;
    }
}
