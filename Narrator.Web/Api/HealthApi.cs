using Microsoft.AspNetCore.Http.HttpResults;
using Narrator.Model.Generation;
using Narrator.Web.Services;
using Narrator.Web.Services.Engine;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Api;

/// <summary><c>/healthz</c> (the process answers) and <c>/readyz</c> (the model is loaded; which one, on what).</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Healthz)
            .WithName(nameof(Healthz))
            .WithSummary("200 while the process is serving requests.")
            .WithTags("Health");
        app.MapGet("/readyz", Readyz)
            .WithName(nameof(Readyz))
            .WithSummary("200 once the model is loaded (with model, execution provider, precisions, context and demo flag), 503 while loading or if it failed.")
            .WithTags("Health");
        return app;
    }

    public static Ok<HealthReport> Healthz() => TypedResults.Ok(new HealthReport("ok"));

    public static Results<Ok<ReadinessReport>, JsonHttpResult<ReadinessReport>> Readyz(EngineHost engine, NarrationService narrations)
    {
        var status = engine.Status;
        var report = new ReadinessReport(
            status.State switch { EngineState.Ready => "ready", EngineState.Failed => "failed", _ => "loading" },
            status.Info?.ModelName,
            status.Info?.ExecutionProvider,
            status.Info?.ProviderReason,
            status.Info?.IsDemoModel,
            status.Error,
            narrations.QueueSnapshot(),
            status.Info?.Precision,
            status.Info?.ContextTokens);
        return status.IsReady
            ? TypedResults.Ok(report)
            : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record HealthReport(string Status);

/// <summary>
/// What /readyz says: "ready", "loading" or "failed", the live model and provider, the queue, the precisions the model
/// runs in (vision, decoder, KV cache; null for a remote engine) and the tokens one request may hold.
/// </summary>
public sealed record ReadinessReport(
    string Status, string? Model, string? ExecutionProvider, string? ProviderReason, bool? DemoModel, string? Error, QueueSnapshot Queue,
    ModelPrecision? Precision = null, int? ContextTokens = null);
