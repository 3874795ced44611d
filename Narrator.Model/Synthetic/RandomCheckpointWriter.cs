using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Conversion.Text;
using Narrator.Model.Text;

namespace Narrator.Model.Synthetic;

/// <summary>What <see cref="RandomCheckpointWriter"/> wrote.</summary>
public sealed record RandomCheckpoint(string Directory, IReadOnlyList<string> Shards, int Tensors, long TensorBytes, TimeSpan Elapsed);

/// <summary>
/// Writes a Hugging Face checkpoint folder with random bf16 weights and exactly the tensor names and shapes a Qwen2.5-VL
/// config implies (the published checkpoints' names): config.json, generation_config.json, tokenizer and preprocessor
/// files, and safetensors shards with a model.safetensors.index.json as the Hub has them. For benchmarks at real sizes;
/// each tensor is generated as it is written, so memory stays small whatever the size.
/// </summary>
public sealed class RandomCheckpointWriter(ILogger? logger = null)
{
    /// <summary>Shards of at most 4 GB, like the published checkpoints (Qwen2.5-VL-7B-Instruct: 5 shards).</summary>
    public const long DefaultShardBytes = 4_000_000_000;

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>
    /// Every tensor in the order the checkpoints store them (vision tower, then the language model), with scales that keep
    /// activations of order one through the layers (standard deviations): weights 1/sqrt(in), biases 0.02, norms 1 ± 0.1,
    /// the embedding table and LM head 1/sqrt(hidden). A tied checkpoint (3B) has no lm_head.weight.
    /// </summary>
    public static IReadOnlyList<SafetensorsTensorSource> Tensors(Qwen25VlConfig config, ulong seed)
    {
        var text = config.Text;
        var tensors = new List<SafetensorsTensorSource>(RandomVisionWeights.Tensors(config.Vision, seed));
        var names = new HashSet<string>(StringComparer.Ordinal);
        // The decoder's own list (what the converter reads) plus the embedding table, each once.
        foreach (var (name, shape) in DecoderGraphWriter.Tensors(text).Prepend((EmbeddingGraphWriter.TableName, [text.VocabSize, text.HiddenSize])))
        {
            if (names.Add(name))
            {
                tensors.Add(TextTensor(name, shape, text, seed));
            }
        }
        return tensors;
    }

    public async Task<RandomCheckpoint> WriteAsync(string directory, Qwen25VlConfig config, ulong seed, long maxShardBytes = DefaultShardBytes,
        Action<string, long>? onShard = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShardBytes, 1);
        var watch = Stopwatch.StartNew();
        string root = Path.GetFullPath(directory);
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new UserInputException($"{root} already exists and is not empty; choose a new folder for the checkpoint.");
        }
        Directory.CreateDirectory(root);
        var json = new JsonSerializerOptions { WriteIndented = true };
        await File.WriteAllTextAsync(Path.Combine(root, Qwen25VlConfig.FileName), config.ToJson().ToJsonString(json), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(root, HfCheckpoint.GenerationConfigFileName), GenerationConfig(config).ToJsonString(json), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(root, PackageFiles.PreprocessorConfigFileName), PackageFiles.DefaultPreprocessorConfig(config.Vision), cancellationToken);
        await BundledTokenizer.WriteToAsync(root, cancellationToken);

        var shards = Shard(Tensors(config, seed), maxShardBytes);
        var weightMap = new JsonObject();
        var files = new List<string>();
        long total = 0;
        for (int k = 0; k < shards.Count; k++)
        {
            string file = shards.Count == 1 ? HfCheckpoint.SingleFileName
                : string.Create(CultureInfo.InvariantCulture, $"model-{k + 1:D5}-of-{shards.Count:D5}.safetensors");
            long bytes = shards[k].Sum(t => t.ByteLength);
            await Task.Run(() => SafetensorsWriter.Write(Path.Combine(root, file), shards[k], new Dictionary<string, string> { ["format"] = "pt" }),
                cancellationToken);
            foreach (var tensor in shards[k])
            {
                weightMap[tensor.Name] = file;
            }
            files.Add(file);
            total += bytes;
            onShard?.Invoke(file, bytes);
            _logger.LogInformation("Wrote {File} ({Bytes} bytes, {Tensors} tensors)", file, bytes, shards[k].Count);
            cancellationToken.ThrowIfCancellationRequested();
        }
        if (shards.Count > 1)
        {
            var index = new JsonObject
            {
                ["metadata"] = new JsonObject { ["total_size"] = total },
                ["weight_map"] = new JsonObject(weightMap.OrderBy(p => p.Key, StringComparer.Ordinal)
                    .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value!.GetValue<string>()))),
            };
            await File.WriteAllTextAsync(Path.Combine(root, HfCheckpoint.IndexFileName), index.ToJsonString(json), cancellationToken);
        }
        return new RandomCheckpoint(root, files, shards.Sum(s => s.Count), total, watch.Elapsed);
    }

    private static SafetensorsTensorSource TextTensor(string name, long[] shape, Qwen25VlTextConfig text, ulong seed)
    {
        if (name.EndsWith("norm.weight", StringComparison.Ordinal))
        {
            return RandomBf16Tensor.Random(name, shape, seed, std: 0.1f, mean: 1f);
        }
        if (name.EndsWith(".bias", StringComparison.Ordinal))
        {
            return RandomBf16Tensor.Random(name, shape, seed, std: 0.02f);
        }
        // [out, in] projections read `in` values; the embedding table and LM head are scaled to the hidden size.
        long inputs = shape.Length == 2 && !name.StartsWith("lm_head", StringComparison.Ordinal) && name != EmbeddingGraphWriter.TableName
            ? shape[1] : text.HiddenSize;
        return RandomBf16Tensor.Random(name, shape, seed, std: 1f / MathF.Sqrt(inputs));
    }

    /// <summary>Consecutive tensors up to <paramref name="maxBytes"/> per shard; a tensor larger than that gets a shard of its own.</summary>
    private static List<List<SafetensorsTensorSource>> Shard(IReadOnlyList<SafetensorsTensorSource> tensors, long maxBytes)
    {
        var shards = new List<List<SafetensorsTensorSource>> { new() };
        long size = 0;
        foreach (var tensor in tensors)
        {
            if (shards[^1].Count > 0 && size + tensor.ByteLength > maxBytes)
            {
                shards.Add([]);
                size = 0;
            }
            shards[^1].Add(tensor);
            size += tensor.ByteLength;
        }
        return shards;
    }

    /// <summary>The published Instruct checkpoints' generation_config.json.</summary>
    private static JsonObject GenerationConfig(Qwen25VlConfig config) => new()
    {
        ["bos_token_id"] = config.BosTokenId,
        ["pad_token_id"] = config.BosTokenId,
        ["do_sample"] = true,
        ["eos_token_id"] = new JsonArray(151645, 151643),
        ["repetition_penalty"] = 1.05,
        ["temperature"] = 0.1,
        ["top_k"] = 1,
        ["top_p"] = 0.001,
    };
}
