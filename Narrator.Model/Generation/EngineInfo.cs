namespace Narrator.Model.Generation;

/// <summary>What is serving narrations; an engine's IChatClient returns it from <c>GetService(typeof(EngineInfo))</c>.</summary>
public sealed record EngineInfo
{
    public required string ModelName { get; init; }

    /// <summary>"CUDA", "CPU", or a remote engine's name.</summary>
    public required string ExecutionProvider { get; init; }

    /// <summary>Why this provider is live (e.g. "CUDA requested but not available: ..."), shown in logs and /readyz.</summary>
    public string ProviderReason { get; init; } = "";

    /// <summary>
    /// Set when CUDA was asked for (or failed at session start) and the engine runs on the CPU: why. The page shows a
    /// banner and /readyz says "degraded".
    /// </summary>
    public string? CudaFallbackReason { get; init; }

    /// <summary>True for the tiny random-weight package: outputs are meaningless.</summary>
    public bool IsDemoModel { get; init; }

    /// <summary>How many requests the engine can run at once (1 for the in-process model).</summary>
    public int MaxConcurrency { get; init; } = 1;

    /// <summary>Number formats of the in-process model's graphs; null for a remote engine.</summary>
    public ModelPrecision? Precision { get; init; }

    /// <summary>
    /// Tokens one request may occupy (prompt + new tokens): the package's context length, or its attention window when that
    /// is shorter. Null when unknown (a remote engine): requests are then not measured before they queue.
    /// </summary>
    public int? ContextTokens { get; init; }
}
