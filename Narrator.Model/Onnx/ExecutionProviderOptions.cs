using Microsoft.ML.OnnxRuntime;

namespace Narrator.Model.Onnx;

public enum ExecutionProviderKind
{
    /// <summary>CUDA when this build of ONNX Runtime and the machine have it, otherwise CPU.</summary>
    Auto,
    Cuda,
    /// <summary>CPU only; CUDA is never tried.</summary>
    Cpu,
}

/// <summary>Where and how the three sessions run (bound from settings as <c>Narrator:Model:ExecutionProvider</c>).</summary>
public sealed record ExecutionProviderOptions
{
    public ExecutionProviderKind Provider { get; init; } = ExecutionProviderKind.Auto;

    public int DeviceId { get; init; }

    /// <summary>CUDA arena cap in bytes (gpu_mem_limit); null leaves ONNX Runtime's default (no cap).</summary>
    public long? CudaMemoryLimitBytes { get; init; }

    /// <summary>kNextPowerOfTwo (ORT default) or kSameAsRequested, which wastes less memory as the KV cache grows.</summary>
    public string CudaArenaExtendStrategy { get; init; } = "kSameAsRequested";

    /// <summary>Let cuDNN try every convolution algorithm (EXHAUSTIVE) or use heuristics (HEURISTIC, quicker start).</summary>
    public string CudnnConvAlgoSearch { get; init; } = "HEURISTIC";

    public GraphOptimizationLevel GraphOptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// ONNX Runtime's CPU arena (on by default). Off, prefill buffers go back to the system after each run and the peak
    /// is lower, but every large allocation faults in fresh pages: a 12k-token prefill ran many times slower.
    /// </summary>
    public bool CpuMemoryArena { get; init; } = true;

    /// <summary>Threads per operator on the CPU; 0 lets ONNX Runtime use one per physical core.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// ONNX Runtime's intra-op workers spin-wait after each run (on by default). Off, they sleep at once: a 7B-width int4
    /// decode step measured the same on 2 cores, and other work on the machine (ffmpeg, a benchmark's copy) gets the cores back.
    /// </summary>
    public bool IntraOpSpinning { get; init; } = true;

    /// <summary>
    /// Transient memory one vision run may use, in bytes: a clip's frame groups are encoded a few at a time so each run
    /// stays under it (results are identical to one run). Null means <see cref="DefaultVisionMemoryBudgetBytes"/>.
    /// </summary>
    public long? VisionMemoryBudgetBytes { get; init; }

    /// <summary>2 GiB: 8 frame groups (16 frames) of a 784x441 clip per run at Qwen2.5-VL-7B's vision width in fp32 (measured ~1.9 GiB).</summary>
    public const long DefaultVisionMemoryBudgetBytes = 2L << 30;

    internal Dictionary<string, string> CudaProviderOptions()
    {
        var options = new Dictionary<string, string>
        {
            ["device_id"] = DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["arena_extend_strategy"] = CudaArenaExtendStrategy,
            ["cudnn_conv_algo_search"] = CudnnConvAlgoSearch,
        };
        if (CudaMemoryLimitBytes is long limit)
        {
            options["gpu_mem_limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return options;
    }
}
