using System.Text.Json;
using System.Text.Json.Nodes;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Onnx;
using Narrator.Model.Text;

namespace Narrator.Model.Conversion;

/// <summary>
/// The non-graph files of a package: genai_config.json built from config.json and generation_config.json, and the
/// checkpoint's tokenizer, preprocessor and generation files copied beside the graphs (Narrator's own copies when the
/// checkpoint lacks them, with a note saying so).
/// </summary>
internal static class PackageFiles
{
    public const string PreprocessorConfigFileName = "preprocessor_config.json";

    /// <summary>Files a Hugging Face Qwen2.5-VL folder may hold that the package keeps as they are.</summary>
    private static readonly string[] Copied =
    [
        BundledTokenizer.TokenizerJsonFileName, BundledTokenizer.TokenizerConfigFileName, "vocab.json", "merges.txt",
        "special_tokens_map.json", "added_tokens.json", "chat_template.json", "chat_template.jinja",
        PreprocessorConfigFileName, "video_preprocessor_config.json", HfCheckpoint.GenerationConfigFileName,
    ];

    public static GenAiConfig Config(HfCheckpoint checkpoint, GenAiDecoderConfig decoder, GenAiEmbeddingConfig embedding, GenAiVisionConfig vision)
    {
        var config = checkpoint.Config;
        var generation = checkpoint.GenerationConfig;
        // generation_config.json usually lists both <|im_end|> and <|endoftext|>; config.json only the first.
        long[] eos = [.. Ids(generation?["eos_token_id"]).Concat(config.EosTokenIds).Distinct()];
        int context = config.Text.MaxPositionEmbeddings;
        return new GenAiConfig
        {
            Model = new GenAiModelConfig
            {
                Type = Qwen25VlConfig.ModelType,
                VocabSize = config.Text.VocabSize,
                ContextLength = context,
                BosTokenId = Ids(generation?["bos_token_id"]).FirstOrDefault(config.BosTokenId),
                PadTokenId = Ids(generation?["pad_token_id"]).FirstOrDefault(config.BosTokenId),
                EosTokenId = eos,
                ImageTokenId = config.ImageTokenId,
                VideoTokenId = config.VideoTokenId,
                VisionStartTokenId = config.VisionStartTokenId,
                Decoder = decoder,
                Embedding = embedding,
                Vision = vision,
            },
            Search = new GenAiSearchConfig
            {
                DoSample = Value<bool>(generation, "do_sample") ?? false,
                MaxLength = context,
                RepetitionPenalty = Value<double>(generation, "repetition_penalty") ?? 1.0,
                Temperature = Value<double>(generation, "temperature") ?? 1.0,
                TopK = Value<int>(generation, "top_k") ?? 1,
                TopP = Value<double>(generation, "top_p") ?? 1.0,
            },
        };
    }

    /// <summary>Copies the tokenizer and preprocessor files; returns notes for files that had to come from Narrator itself.</summary>
    public static async Task<IReadOnlyList<string>> CopyAsync(HfCheckpoint checkpoint, string directory, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        foreach (string name in Copied)
        {
            string source = Path.Combine(checkpoint.Directory, name);
            if (File.Exists(source))
            {
                File.Copy(source, Path.Combine(directory, name), overwrite: true);
            }
        }
        if (!File.Exists(Path.Combine(directory, BundledTokenizer.TokenizerJsonFileName)))
        {
            await BundledTokenizer.WriteToAsync(directory, cancellationToken);
            notes.Add($"{checkpoint.Directory} has no {BundledTokenizer.TokenizerJsonFileName}: the package holds Narrator's bundled Qwen2.5 tokenizer instead.");
        }
        if (!File.Exists(Path.Combine(directory, PreprocessorConfigFileName)))
        {
            await File.WriteAllTextAsync(Path.Combine(directory, PreprocessorConfigFileName), DefaultPreprocessorConfig(checkpoint.Config.Vision), cancellationToken);
            notes.Add($"{checkpoint.Directory} has no {PreprocessorConfigFileName}: the package holds the Qwen2-VL image processor's defaults.");
        }
        return notes;
    }

    /// <summary>The Qwen2-VL image processor settings the preprocessing stage follows, with the checkpoint's patch sizes.</summary>
    public static string DefaultPreprocessorConfig(Qwen25VlVisionConfig vision)
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
            ["patch_size"] = vision.PatchSize,
            ["temporal_patch_size"] = vision.TemporalPatchSize,
            ["merge_size"] = vision.SpatialMergeSize,
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static IEnumerable<long> Ids(JsonNode? node) => node switch
    {
        JsonArray array => array.OfType<JsonValue>().Select(v => v.GetValue<long>()),
        JsonValue value when value.TryGetValue(out long id) => [id],
        _ => [],
    };

    private static T? Value<T>(JsonObject? node, string key) where T : struct =>
        node?[key] is JsonValue value && value.TryGetValue(out T result) ? result
        : typeof(T) == typeof(int) && node?[key] is JsonValue number && number.TryGetValue(out double d) ? (T)(object)(int)d
        : null;
}
