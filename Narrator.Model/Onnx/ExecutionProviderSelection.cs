using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Narrator.Model.Onnx;

/// <summary>The provider that is live for a package's sessions, and why (shown in the log, EngineInfo and the UI).</summary>
public sealed record ExecutionProviderSelection(string Provider, string Reason, bool CudaAttempted)
{
    public const string Cuda = "CUDA";
    public const string Cpu = "CPU";

    public bool IsCuda => Provider == Cuda;

    /// <summary>
    /// Decides the provider once per package: CUDA is tried when asked (or on Auto); if this ONNX Runtime build or
    /// machine lacks it (the CPU package throws EntryPointNotFoundException) the sessions run on the CPU instead.
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
                : new(Cpu, $"{asked} but CUDA is not available ({failure}); running on the CPU", CudaAttempted: true);
        }

        var level = selection.IsCuda || requested.Provider != ExecutionProviderKind.Cuda ? LogLevel.Information : LogLevel.Warning;
        logger.Log(level, "Execution provider {Provider}: {Reason}", selection.Provider, selection.Reason);
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
            return "this ONNX Runtime build has no CUDA provider (the CPU package is installed)";
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
