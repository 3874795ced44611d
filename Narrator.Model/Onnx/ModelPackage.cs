using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model.Generation;

namespace Narrator.Model.Onnx;

/// <summary>
/// An onnxruntime-genai <c>qwen2_5_vl</c> model folder, opened: its config, the vision/embedding/decoder sessions
/// (checked to have the inputs and outputs the config names, one number format from vision to decoder, logits of the last
/// position only), the KV cache element type, what the decoder's attention nodes allow, and the context one request may use.
/// </summary>
public sealed class ModelPackage : IDisposable
{
    /// <summary>KV element types the generator can create empty caches for and feed back.</summary>
    public static readonly IReadOnlyList<TensorElementType> SupportedKvTypes =
        [TensorElementType.Float, TensorElementType.Float16, TensorElementType.BFloat16];

    private ModelPackage(string directory, GenAiConfig config, InferenceSession vision, InferenceSession embedding,
        InferenceSession decoder, TensorElementType kvType, DecoderGraphFacts graph, ExecutionProviderSelection provider, int deviceId,
        long visionMemoryBudget)
    {
        VisionMemoryBudgetBytes = visionMemoryBudget;
        Directory = directory;
        Config = config;
        Vision = vision;
        Embedding = embedding;
        Decoder = decoder;
        KvElementType = kvType;
        DecoderGraph = graph;
        Provider = provider;
        IsDemoModel = decoder.ModelMetadata.CustomMetadataMap.ContainsKey(Conversion.CheckpointConverter.DemoModelKey);
        Context = ContextLimit.For(config, graph);
        Precision = new ModelPrecision(
            // A grid-fed graph takes and returns fp32 whatever it computes in; its config says what that is.
            config.Model.Vision.TakesGridTables
                ? config.Model.Vision.Precision
                : PrecisionName(vision.OutputMetadata[config.Model.Vision.Outputs.ImageFeatures].ElementDataType),
            graph.QuantizedBits is { } bits
                ? $"int{bits}"
                : PrecisionName(decoder.InputMetadata[config.Model.Decoder.Inputs.InputsEmbeds].ElementDataType),
            PrecisionName(kvType));
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

    /// <summary>What decoder.onnx's nodes say: GroupQueryAttention (so the KV buffer is shared by past and present), window, int4.</summary>
    public DecoderGraphFacts DecoderGraph { get; }

    /// <summary>Tokens one request may hold (prompt plus new tokens).</summary>
    public ContextLimit Context { get; }

    public ModelPrecision Precision { get; }

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
        Precision = Precision,
        ContextTokens = Context.Tokens,
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
        // Read from the file (nodes only, not weights); checked after the inputs and outputs, whose sentences are more specific.
        var graph = DecoderGraphFacts.Read(decoderPath);

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
            RequireSupportedAttention(graph, decoderPath);
            check.NumberFormats(vision, visionPath, embedding, embeddingPath, decoder, decoderPath);
            var package = new ModelPackage(root, config, vision, embedding, decoder, kvType, graph, selection, requested.DeviceId, visionBudget);
            package.WarnAboutPrecision(logger);
            return package;
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

    /// <summary>
    /// One preallocated buffer bound as past and present is the KV path: it needs GroupQueryAttention, which writes the new
    /// keys into the buffer it is given.
    /// </summary>
    private static void RequireSupportedAttention(DecoderGraphFacts graph, string decoderPath)
    {
        if (!graph.UsesGroupQueryAttention)
        {
            throw new ModelPackageException(
                $"{decoderPath} has no GroupQueryAttention node, so its KV cache cannot be one preallocated buffer shared by past and present; " +
                "convert the Hugging Face checkpoint with 'narrator convert', which writes such a decoder.");
        }
        if (graph.SlidingWindowCache)
        {
            throw new ModelPackageException(
                $"{decoderPath} keeps a ring cache over a {graph.LocalWindowSize}-token attention window (GroupQueryAttention sliding_window_cache=1, as onnxruntime-genai's builder writes); " +
                "Narrator sizes one full-attention buffer per request: convert the checkpoint with 'narrator convert'.");
        }
    }

    /// <summary>fp16 activations overflow in Qwen2.5-VL's vision tower (transformers #33294): said once at load, and on the page.</summary>
    private void WarnAboutPrecision(ILogger logger)
    {
        if (Precision.Vision == "fp16")
        {
            logger.LogWarning(
                "The vision graph runs in fp16, which can overflow in Qwen2.5-VL's vision tower; convert it as fp32 (CPU) or bf16/fp32 (CUDA).");
        }
    }

    internal static string PrecisionName(TensorElementType type) => type switch
    {
        TensorElementType.Float => "fp32",
        TensorElementType.Float16 => "fp16",
        TensorElementType.BFloat16 => "bf16",
        _ => type.ToString(),
    };

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
