using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Graphs;
using Narrator.Model.Onnx.Proto;
using Narrator.Model.Text;

namespace Narrator.Model.Synthetic;

/// <summary>
/// Writes the tiny random-weight <c>qwen2_5_vl</c> package (genai_config.json, tokenizer and preprocessor configs,
/// vision/embedding/decoder ONNX graphs) that tests and the demo run on. Same seed and spec, same bytes.
/// </summary>
public sealed class TinyModelWriter(TinyModelSpec? spec = null, ILogger? logger = null)
{
    public const string VisionFile = "vision.onnx";
    public const string EmbeddingFile = "embedding.onnx";
    public const string DecoderFile = "decoder.onnx";
    public const string PreprocessorConfigFile = "preprocessor_config.json";

    /// <summary>Bumped whenever the graphs change, so cached packages (named with it) are rewritten rather than reused.</summary>
    public const int FormatVersion = 3;

    /// <summary>ONNX producer name of every tiny graph; the loader uses it to flag the package as a demo model.</summary>
    public const string ProducerName = "narrator-tiny-model";

    private readonly TinyModelSpec _spec = spec ?? new TinyModelSpec();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public TinyModelSpec Spec => _spec;

    /// <summary>Writes (overwrites) the package into <paramref name="directory"/> and returns the config it wrote.</summary>
    public async Task<GenAiConfig> WriteAsync(string directory, int seed, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        Directory.CreateDirectory(directory);
        var config = CreateConfig();
        var metadata = new Dictionary<string, string> { ["narrator.seed"] = seed.ToString(CultureInfo.InvariantCulture) };

        // One generator per graph, derived from the seed, so a change in one graph does not reshuffle the others.
        WriteModel(Path.Combine(directory, VisionFile), TinyVisionGraph.Build(_spec, config.Model.Vision, RandomFor(seed, 1), metadata));
        cancellationToken.ThrowIfCancellationRequested();
        WriteModel(Path.Combine(directory, EmbeddingFile), TinyEmbeddingGraph.Build(_spec, config.Model.Embedding, RandomFor(seed, 2), metadata));
        cancellationToken.ThrowIfCancellationRequested();
        WriteModel(Path.Combine(directory, DecoderFile), TinyDecoderGraph.Build(_spec, config.Model.Decoder, RandomFor(seed, 3), metadata));
        cancellationToken.ThrowIfCancellationRequested();

        await File.WriteAllTextAsync(Path.Combine(directory, GenAiConfig.FileName), config.ToJson(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, PreprocessorConfigFile), PreprocessorConfigJson(), cancellationToken);
        await BundledTokenizer.WriteToAsync(directory, cancellationToken);

        _logger.LogInformation("Wrote tiny model package (seed {Seed}) to {Directory} in {Milliseconds:F0} ms",
            seed, directory, stopwatch.Elapsed.TotalMilliseconds);
        return config;
    }

    /// <summary>
    /// Reuses a complete package already in <paramref name="directory"/>, otherwise writes one next to it and moves it in,
    /// so an interrupted write never leaves a half package behind. Returns true when it wrote.
    /// </summary>
    public async Task<bool> WriteIfMissingAsync(string directory, int seed, CancellationToken cancellationToken = default)
    {
        string[] required = [GenAiConfig.FileName, VisionFile, EmbeddingFile, DecoderFile, PreprocessorConfigFile,
            BundledTokenizer.TokenizerJsonFileName, BundledTokenizer.TokenizerConfigFileName];
        if (required.All(name => File.Exists(Path.Combine(directory, name))))
        {
            return false;
        }
        string full = Path.GetFullPath(directory);
        string staging = full.TrimEnd(Path.DirectorySeparatorChar) + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await WriteAsync(staging, seed, cancellationToken);
            if (Directory.Exists(full))
            {
                Directory.Delete(full, recursive: true);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            Directory.Move(staging, full);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        return true;
    }

    public GenAiConfig CreateConfig() => new()
    {
        Model = new GenAiModelConfig
        {
            Type = "qwen2_5_vl",
            VocabSize = _spec.VocabSize,
            ContextLength = _spec.ContextLength,
            BosTokenId = _spec.FirstSpecialTokenId,
            PadTokenId = _spec.FirstSpecialTokenId,
            EosTokenId = _spec.EosTokenIds,
            ImageTokenId = _spec.ImageTokenId,
            VideoTokenId = _spec.VideoTokenId,
            VisionStartTokenId = _spec.VisionStartTokenId,
            Decoder = new GenAiDecoderConfig
            {
                Filename = DecoderFile,
                HeadSize = _spec.HeadSize,
                HiddenSize = _spec.HiddenSize,
                NumAttentionHeads = _spec.AttentionHeads,
                NumKeyValueHeads = _spec.KeyValueHeads,
                NumHiddenLayers = _spec.Layers,
            },
            Embedding = new GenAiEmbeddingConfig { Filename = EmbeddingFile },
            Vision = new GenAiVisionConfig { Filename = VisionFile, SpatialMergeSize = 2, PatchSize = 14, TokensPerSecond = 2 },
        },
        Search = new GenAiSearchConfig { MaxLength = _spec.ContextLength, RepetitionPenalty = 1.05, TopK = 1 },
    };

    /// <summary>Where the CLI and the server keep the demo package when no model is configured: $XDG_CACHE_HOME or ~/.cache.</summary>
    public static string DefaultCacheDirectory(int seed)
    {
        string? cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache))
        {
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }
        return Path.Combine(cache, "narrator", $"tiny-model-v{FormatVersion}-seed{seed}");
    }

    private static WeightRandom RandomFor(int seed, int graph) => new(((ulong)(uint)seed << 8) ^ (ulong)graph);

    private static void WriteModel(string path, ModelProto model)
    {
        using var stream = File.Create(path);
        model.WriteTo(stream);
    }

    /// <summary>The Qwen2-VL image processor settings the preprocessing stage follows.</summary>
    private static string PreprocessorConfigJson()
    {
        var json = new JsonObject
        {
            ["image_processor_type"] = "Qwen2VLImageProcessor",
            ["processor_class"] = "Qwen2_5_VLProcessor",
            ["do_convert_rgb"] = true,
            ["do_normalize"] = true,
            ["do_rescale"] = true,
            ["do_resize"] = true,
            ["rescale_factor"] = 1.0 / 255,
            ["image_mean"] = new JsonArray(0.48145466, 0.4578275, 0.40821073),
            ["image_std"] = new JsonArray(0.26862954, 0.26130258, 0.27577711),
            ["min_pixels"] = 3136,
            ["max_pixels"] = 12845056,
            ["patch_size"] = 14,
            ["temporal_patch_size"] = 2,
            ["merge_size"] = 2,
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
