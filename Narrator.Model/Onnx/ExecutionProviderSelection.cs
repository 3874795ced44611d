using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Narrator.Model.Onnx;

/// <summary>The provider that is live for a package's sessions, and why (shown in the log, EngineInfo and the UI).</summary>
public sealed record ExecutionProviderSelection(string Provider, string Reason, bool CudaAttempted)
{
    public const string Cuda = "CUDA";
    public const string Cpu = "CPU";

    private const string NoCudaInThisBuild = "this ONNX Runtime build has no CUDA provider (the CPU package is installed)";

    public bool IsCuda => Provider == Cuda;

    /// <summary>
    /// Why the sessions run on the CPU although CUDA was wanted: CUDA asked for explicitly and unavailable, or CUDA
    /// that failed at session start. Null otherwise (Auto on a machine without CUDA is not a fallback).
    /// </summary>
    public string? CudaFallbackReason { get; init; }

    /// <summary>
    /// Decides the provider once per package: CUDA is tried when asked (or on Auto); if this ONNX Runtime build or
    /// machine lacks it (the CPU package answers "not enabled in this build", older ones EntryPointNotFoundException)
    /// the sessions run on the CPU instead.
    /// </summary>
    internal static ExecutionProviderSelection Decide(ExecutionProviderOptions requested, ILogger logger)
    {
        ExecutionProviderSelection selection;
        if (requested.Provider == ExecutionProviderKind.Cpu)
        {
            selection = new(Cpu, "CPU requested in settings", CudaAttempted: false);
        }
        else
        {
            using var probe = new SessionOptions();
            string? failure = TryAppendCuda(probe, requested);
            string asked = requested.Provider == ExecutionProviderKind.Cuda ? "CUDA requested" : "Auto";
            selection = failure is null
                ? new(Cuda, $"{asked}: CUDA device {requested.DeviceId} is available", CudaAttempted: true)
                : new(Cpu, $"{asked} but CUDA is not available ({failure}); running on the CPU", CudaAttempted: true)
                {
                    CudaFallbackReason = requested.Provider == ExecutionProviderKind.Cuda ? failure : null,
                };
        }

        var level = selection.CudaFallbackReason is null ? LogLevel.Information : LogLevel.Warning;
        logger.Log(level, "Execution provider {Provider}: {Reason}", selection.Provider, selection.Reason);
        return selection;
    }

    /// <summary>CUDA was live but the sessions could not start on it (driver or CUDA libraries missing): the CPU takes over, loudly.</summary>
    internal static ExecutionProviderSelection CudaFailedAtSessionStart(string error, ILogger logger)
    {
        string failure = $"the CUDA provider failed to start ({error})";
        var selection = new ExecutionProviderSelection(Cpu, $"{failure}; running on the CPU", CudaAttempted: true)
        {
            CudaFallbackReason = failure,
        };
        logger.LogWarning("Execution provider {Provider}: {Reason}", selection.Provider, selection.Reason);
        return selection;
    }

    /// <summary>
    /// Session options for the chosen provider. <paramref name="singleThreaded"/> runs the graph on the calling thread
    /// (the per-token embedding lookup): a second intra-op pool would spin against the decoder's on a small CPU.
    /// </summary>
    internal SessionOptions CreateSessionOptions(ExecutionProviderOptions requested, bool singleThreaded = false)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = requested.GraphOptimizationLevel,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            EnableCpuMemArena = requested.CpuMemoryArena,
        };
        if (!requested.IntraOpSpinning)
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }
        if (singleThreaded)
        {
            options.IntraOpNumThreads = 1;
        }
        else if (requested.IntraOpThreads > 0)
        {
            options.IntraOpNumThreads = requested.IntraOpThreads;
        }
        if (IsCuda && TryAppendCuda(options, requested) is { } failure)
        {
            options.Dispose();
            throw new InvalidOperationException($"CUDA provider could not be added: {failure}");
        }
        return options;
    }

    private static string? TryAppendCuda(SessionOptions options, ExecutionProviderOptions requested)
    {
        try
        {
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(requested.CudaProviderOptions());
            options.AppendExecutionProvider_CUDA(cuda);
            return null;
        }
        catch (EntryPointNotFoundException)
        {
            return NoCudaInThisBuild;
        }
        catch (OnnxRuntimeException ex) when (ex.Message.Contains("not enabled in this build", StringComparison.Ordinal))
        {
            // What the CPU package (1.31) answers instead of a missing entry point.
            return NoCudaInThisBuild;
        }
        catch (OnnxRuntimeException ex)
        {
            return ex.Message.Trim();
        }
        catch (DllNotFoundException ex)
        {
            return ex.Message.Trim();
        }
    }
}
