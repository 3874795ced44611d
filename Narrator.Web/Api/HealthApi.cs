using Microsoft.AspNetCore.Http.HttpResults;
using Narrator.Model.Generation;
using Narrator.Model.Media;
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
            .WithSummary("200 once the model is loaded (with model, execution provider, precisions, context and demo flag; \"degraded\" when CUDA was asked for but the CPU runs), 503 while loading, if it failed, or while ffmpeg is missing.")
            .Produces<ReadinessReport>(StatusCodes.Status503ServiceUnavailable)
            .WithTags("Health");
        return app;
    }

    public static Ok<HealthReport> Healthz() => TypedResults.Ok(new HealthReport("ok"));

    public static Results<Ok<ReadinessReport>, JsonHttpResult<ReadinessReport>> Readyz(EngineHost engine, NarrationService narrations, FfmpegLocator ffmpeg)
    {
        var status = engine.Status;
        string? fallback = status.Info?.CudaFallbackReason;
        // Without ffmpeg no upload can be read nor clip prepared: not ready, with the install sentence.
        string? mediaProblem = ffmpeg.Problem();
        var report = new ReadinessReport(
            mediaProblem is not null && status.State != EngineState.Failed ? "ffmpeg_missing"
                : status.State switch
                {
                    EngineState.Ready when fallback is not null => "degraded",
                    EngineState.Ready => "ready",
                    EngineState.Failed => "failed",
                    _ => "loading",
                },
            status.Info?.ModelName,
            status.Info?.ExecutionProvider,
            status.Info?.ProviderReason,
            status.Info?.IsDemoModel,
            mediaProblem ?? status.Error,
            narrations.QueueSnapshot(),
            status.Info?.Precision,
            status.Info?.ContextTokens)
        {
            DegradedReason = fallback is null ? null : $"running on the CPU although CUDA was asked for: {fallback}",
        };
        // Degraded still answers 200: the server narrates (slowly), so a load balancer should keep sending it traffic.
        return status.IsReady && mediaProblem is null
            ? TypedResults.Ok(report)
            : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

public sealed record HealthReport(string Status);

/// <summary>
/// What /readyz says: "ready", "degraded", "loading" or "failed", the live model and provider, the queue, the precisions
/// the model runs in (vision, decoder, KV cache; null for a remote engine) and the tokens one request may hold.
/// </summary>
public sealed record ReadinessReport(
    string Status, string? Model, string? ExecutionProvider, string? ProviderReason, bool? DemoModel, string? Error, QueueSnapshot Queue,
    ModelPrecision? Precision = null, int? ContextTokens = null)
{
    /// <summary>Why the status is "degraded" (CUDA was asked for, the CPU runs); null otherwise.</summary>
    public string? DegradedReason { get; init; }
}
