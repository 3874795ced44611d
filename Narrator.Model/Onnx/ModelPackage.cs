using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model.Generation;

namespace Narrator.Model.Onnx;

/// <summary>
/// An onnxruntime-genai <c>qwen2_5_vl</c> model folder, opened: its config, the vision/embedding/decoder sessions
/// (checked to have the inputs and outputs the config names) and the KV cache element type.
/// </summary>
public sealed class ModelPackage : IDisposable
{
    /// <summary>KV element types the generator can create empty caches for and feed back.</summary>
    public static readonly IReadOnlyList<TensorElementType> SupportedKvTypes =
        [TensorElementType.Float, TensorElementType.Float16, TensorElementType.BFloat16];

    private ModelPackage(string directory, GenAiConfig config, InferenceSession vision, InferenceSession embedding,
        InferenceSession decoder, TensorElementType kvType, ExecutionProviderSelection provider, int deviceId, bool isDemo,
        long visionMemoryBudget)
    {
        VisionMemoryBudgetBytes = visionMemoryBudget;
        Directory = directory;
        Config = config;
        Vision = vision;
        Embedding = embedding;
        Decoder = decoder;
        KvElementType = kvType;
        Provider = provider;
        IsDemoModel = isDemo;
        KvMemory = provider.IsCuda
            ? new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, deviceId, OrtMemType.Default)
            : OrtMemoryInfo.DefaultInstance;
    }

    public string Directory { get; }

    public GenAiConfig Config { get; }

    public InferenceSession Vision { get; }

    public InferenceSession Embedding { get; }

    public InferenceSession Decoder { get; }

    public TensorElementType KvElementType { get; }

    public ExecutionProviderSelection Provider { get; }

    /// <summary>Transient memory one vision run may use; larger clips are encoded a few frame groups per run.</summary>
    public long VisionMemoryBudgetBytes { get; }

    /// <summary>True for the tiny random-weight package Narrator writes itself.</summary>
    public bool IsDemoModel { get; }

    /// <summary>Where present KV tensors are kept between steps (device memory on CUDA, so they never cross the bus).</summary>
    internal OrtMemoryInfo KvMemory { get; }

    public string Name => IsDemoModel ? "tiny random-weight demo model" : Path.GetFileName(Directory.TrimEnd(Path.DirectorySeparatorChar));

    public EngineInfo EngineInfo => new()
    {
        ModelName = Name,
        ExecutionProvider = Provider.Provider,
        ProviderReason = Provider.Reason,
        CudaFallbackReason = Provider.CudaFallbackReason,
        IsDemoModel = IsDemoModel,
        MaxConcurrency = 1,
    };

    /// <summary>Opens and checks a package; every problem with the folder is a <see cref="ModelPackageException"/> naming the file.</summary>
    public static ModelPackage Open(string directory, ExecutionProviderOptions? executionProvider = null, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        string root = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(root))
        {
            throw new ModelPackageException($"Model folder {root} does not exist.");
        }
        string configPath = Path.Combine(root, GenAiConfig.FileName);
        if (!File.Exists(configPath))
        {
            throw new ModelPackageException($"{root} is not a model package: {GenAiConfig.FileName} is missing.");
        }
        var config = GenAiConfig.Parse(File.ReadAllText(configPath), configPath);
        var model = config.Model;
        string visionPath = RequireFile(root, model.Vision.Filename, "model.vision.filename");
        string embeddingPath = RequireFile(root, model.Embedding.Filename, "model.embedding.filename");
        string decoderPath = RequireFile(root, model.Decoder.Filename, "model.decoder.filename");

        var requested = executionProvider ?? new ExecutionProviderOptions();
        long visionBudget = requested.VisionMemoryBudgetBytes ?? ExecutionProviderOptions.DefaultVisionMemoryBudgetBytes;
        if (visionBudget <= 0)
        {
            throw new ModelPackageException($"The vision memory budget must be a positive number of bytes, not {visionBudget}.");
        }
        var selection = ExecutionProviderSelection.Decide(requested, logger);
        var sessions = new List<InferenceSession>(3);
        try
        {
            try
            {
                OpenAll();
            }
            catch (Exception ex) when (selection.IsCuda && ex is OnnxRuntimeException or InvalidOperationException)
            {
                // The GPU package is installed but the device or its libraries are not usable: run on the CPU instead.
                DisposeAll(sessions);
                selection = ExecutionProviderSelection.CudaFailedAtSessionStart(FirstLine(ex.Message), logger);
                OpenAll();
            }

            var (vision, embedding, decoder) = (sessions[0], sessions[1], sessions[2]);
            var check = new SessionContract(config);
            check.Vision(vision, visionPath);
            check.Embedding(embedding, embeddingPath);
            var kvType = check.Decoder(decoder, decoderPath);
            bool isDemo = decoder.ModelMetadata.CustomMetadataMap.ContainsKey(Conversion.CheckpointConverter.DemoModelKey);
            return new ModelPackage(root, config, vision, embedding, decoder, kvType, selection, requested.DeviceId, isDemo, visionBudget);
        }
        catch
        {
            DisposeAll(sessions);
            throw;
        }

        void OpenAll()
        {
            if (!selection.IsCuda && model.Vision.Precision == "bf16")
            {
                throw new ModelPackageException(
                    $"{visionPath} computes in bf16, which ONNX Runtime's CPU provider cannot run ({selection.Reason}): run it on CUDA, or convert the checkpoint again with --vision-precision fp32.");
            }
            sessions.Add(OpenSession(visionPath, selection.CreateSessionOptions(requested), selection.IsCuda));
            sessions.Add(OpenSession(embeddingPath, selection.CreateSessionOptions(requested, singleThreaded: true), selection.IsCuda));
            sessions.Add(OpenSession(decoderPath, selection.CreateSessionOptions(requested), selection.IsCuda));
        }
    }

    public void Dispose()
    {
        Vision.Dispose();
        Embedding.Dispose();
        Decoder.Dispose();
        if (Provider.IsCuda)
        {
            KvMemory.Dispose();
        }
    }

    private static string RequireFile(string root, string fileName, string field)
    {
        string path = Path.Combine(root, fileName);
        if (!File.Exists(path))
        {
            throw new ModelPackageException($"{path} is missing (named by {GenAiConfig.FileName} {field}).");
        }
        return path;
    }

    /// <summary>With CUDA live, ORT errors pass through so the caller can retry on the CPU, which then names any file problem.</summary>
    private static InferenceSession OpenSession(string path, SessionOptions options, bool cudaLive)
    {
        try
        {
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException ex) when (!cudaLive && MissingKernel(ex.Message) is { } op)
        {
            // ORT 1.31's CPU provider has no bf16 MatMul, Add, Mul, Sigmoid, RotaryEmbedding, GroupQueryAttention or MatMulNBits.
            throw new ModelPackageException(
                $"{path} needs an operator the CPU provider cannot run at this package's precision ({op}); a bf16 package runs on CUDA only: run it there, or convert the checkpoint again with --precision fp32, fp16 or int4 for the CPU.", ex);
        }
        catch (OnnxRuntimeException ex) when (!cudaLive)
        {
            throw new ModelPackageException($"{path} could not be loaded by ONNX Runtime: {FirstLine(ex.Message)}", ex);
        }
        finally
        {
            options.Dispose();
        }
    }

    /// <summary>The operator of ORT's "Could not find an implementation for Op(version) node" error, or null for other errors.</summary>
    private static string? MissingKernel(string message)
    {
        const string marker = "Could not find an implementation for ";
        int start = message.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }
        start += marker.Length;
        int end = message.IndexOf(" node", start, StringComparison.Ordinal);
        return end > start ? message[start..end] : message[start..].Trim();
    }

    private static string FirstLine(string message)
    {
        string trimmed = message.Trim();
        int newline = trimmed.IndexOf('\n');
        return newline < 0 ? trimmed : trimmed[..newline].TrimEnd();
    }

    private static void DisposeAll(List<InferenceSession> sessions)
    {
        foreach (var session in sessions)
        {
            session.Dispose();
        }
        sessions.Clear();
    }
}
