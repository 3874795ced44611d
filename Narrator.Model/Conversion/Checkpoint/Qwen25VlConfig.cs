using System.Text.Json;
using System.Text.Json.Nodes;

namespace Narrator.Model.Conversion.Checkpoint;

/// <summary>
/// The parts of a Hugging Face Qwen2.5-VL <c>config.json</c> the converter needs. Every size comes from the file
/// (transformers' class defaults are not the 7B values). Text settings are read from the top level, or from
/// <c>text_config</c> where newer transformers versions put them.
/// </summary>
public sealed record Qwen25VlConfig
{
    public const string FileName = "config.json";

    public const string ModelType = "qwen2_5_vl";

    public required Qwen25VlTextConfig Text { get; init; }

    public required Qwen25VlVisionConfig Vision { get; init; }

    public long BosTokenId { get; init; } = 151643;

    /// <summary>config.json's eos id(s); generation_config.json usually lists more (151645 and 151643).</summary>
    public long[] EosTokenIds { get; init; } = [151645];

    public long ImageTokenId { get; init; } = 151655;

    public long VideoTokenId { get; init; } = 151656;

    public long VisionStartTokenId { get; init; } = 151652;

    public long VisionEndTokenId { get; init; } = 151653;

    /// <summary>Reads and checks <paramref name="path"/>; a wrong model type or a missing/inconsistent size is a sentence naming the file and key.</summary>
    public static Qwen25VlConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CheckpointException($"{path} is missing: a Hugging Face checkpoint folder holds config.json beside its safetensors files.");
        }
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true })?.AsObject()
                ?? throw new CheckpointException($"{path} is empty.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new CheckpointException($"{path} is not valid JSON: {ex.Message}", ex);
        }
        return Parse(root, path);
    }

    public static Qwen25VlConfig Parse(JsonObject root, string path)
    {
        var reader = new ConfigReader(path);
        string modelType = reader.String(root, "model_type") ?? "(none)";
        if (modelType != ModelType)
        {
            throw new CheckpointException(
                $"{path} describes a '{modelType}' model; Narrator converts Qwen2.5-VL checkpoints (model_type '{ModelType}') only.");
        }
        // Newer transformers nest the language model's settings under text_config; older ones keep them at the top.
        var textRoot = root["text_config"] as JsonObject;
        var visionRoot = root["vision_config"] as JsonObject
            ?? throw new CheckpointException($"{path} has no vision_config: this is not a complete Qwen2.5-VL checkpoint.");

        int TextInt(string key) => reader.RequiredInt(textRoot?[key] is not null ? textRoot : root, key);
        double TextDouble(string key, double fallback) => reader.Double(textRoot?[key] is not null ? textRoot : root, key) ?? fallback;
        JsonNode? TextNode(string key) => textRoot?[key] ?? root[key];

        var ropeScaling = TextNode("rope_scaling") as JsonObject;
        int[] mropeSection = ropeScaling?["mrope_section"] is JsonArray sections
            ? reader.IntArray(sections, "rope_scaling.mrope_section")
            : throw new CheckpointException($"{path} has no rope_scaling.mrope_section: Qwen2.5-VL needs it for its 3-D rotary positions.");

        var text = new Qwen25VlTextConfig
        {
            HiddenSize = TextInt("hidden_size"),
            Layers = TextInt("num_hidden_layers"),
            AttentionHeads = TextInt("num_attention_heads"),
            KeyValueHeads = reader.Int(textRoot?["num_key_value_heads"] is not null ? textRoot : root, "num_key_value_heads") ?? TextInt("num_attention_heads"),
            IntermediateSize = TextInt("intermediate_size"),
            VocabSize = TextInt("vocab_size"),
            RmsNormEpsilon = TextDouble("rms_norm_eps", 1e-6),
            RopeTheta = TextDouble("rope_theta", 1_000_000),
            MropeSection = mropeSection,
            MaxPositionEmbeddings = reader.Int(textRoot?["max_position_embeddings"] is not null ? textRoot : root, "max_position_embeddings") ?? 128000,
            TieWordEmbeddings = reader.Bool(root, "tie_word_embeddings") ?? reader.Bool(textRoot, "tie_word_embeddings") ?? false,
            UseSlidingWindow = reader.Bool(textRoot?["use_sliding_window"] is not null ? textRoot : root, "use_sliding_window") ?? false,
            SlidingWindow = reader.Int(textRoot?["sliding_window"] is not null ? textRoot : root, "sliding_window") ?? 0,
        };
        var vision = new Qwen25VlVisionConfig
        {
            Depth = reader.RequiredInt(visionRoot, "depth"),
            HiddenSize = reader.RequiredInt(visionRoot, "hidden_size"),
            IntermediateSize = reader.RequiredInt(visionRoot, "intermediate_size"),
            Heads = reader.RequiredInt(visionRoot, "num_heads"),
            OutHiddenSize = reader.RequiredInt(visionRoot, "out_hidden_size"),
            PatchSize = reader.Int(visionRoot, "patch_size") ?? 14,
            TemporalPatchSize = reader.Int(visionRoot, "temporal_patch_size") ?? 2,
            SpatialMergeSize = reader.Int(visionRoot, "spatial_merge_size") ?? 2,
            InChannels = reader.Int(visionRoot, "in_chans") ?? reader.Int(visionRoot, "in_channels") ?? 3,
            WindowSize = reader.RequiredInt(visionRoot, "window_size"),
            FullAttentionBlocks = visionRoot["fullatt_block_indexes"] is JsonArray full
                ? reader.IntArray(full, "vision_config.fullatt_block_indexes")
                : throw new CheckpointException($"{path} has no vision_config.fullatt_block_indexes."),
            TokensPerSecond = reader.Double(visionRoot, "tokens_per_second") ?? 2,
            HiddenAct = reader.String(visionRoot, "hidden_act") ?? "silu",
        };
        var config = new Qwen25VlConfig
        {
            Text = text,
            Vision = vision,
            BosTokenId = reader.Int(root, "bos_token_id") ?? 151643,
            EosTokenIds = root["eos_token_id"] switch
            {
                JsonArray ids => ids.Select(id => id!.GetValue<long>()).ToArray(),
                JsonValue id => [id.GetValue<long>()],
                _ => [151645],
            },
            ImageTokenId = reader.Int(root, "image_token_id") ?? 151655,
            VideoTokenId = reader.Int(root, "video_token_id") ?? 151656,
            VisionStartTokenId = reader.Int(root, "vision_start_token_id") ?? 151652,
            VisionEndTokenId = reader.Int(root, "vision_end_token_id") ?? 151653,
        };
        config.Validate(path);
        return config;
    }

    /// <summary>
    /// The config.json transformers writes for these settings (the published checkpoints' keys), so random-weight
    /// checkpoints for tests and benchmarks read back exactly as a downloaded one.
    /// </summary>
    public JsonObject ToJson()
    {
        var v = Vision;
        return new JsonObject
        {
            ["architectures"] = new JsonArray("Qwen2_5_VLForConditionalGeneration"),
            ["model_type"] = ModelType,
            ["torch_dtype"] = "bfloat16",
            ["hidden_size"] = Text.HiddenSize,
            ["num_hidden_layers"] = Text.Layers,
            ["num_attention_heads"] = Text.AttentionHeads,
            ["num_key_value_heads"] = Text.KeyValueHeads,
            ["intermediate_size"] = Text.IntermediateSize,
            ["vocab_size"] = Text.VocabSize,
            ["rms_norm_eps"] = Text.RmsNormEpsilon,
            ["rope_theta"] = Text.RopeTheta,
            ["max_position_embeddings"] = Text.MaxPositionEmbeddings,
            ["tie_word_embeddings"] = Text.TieWordEmbeddings,
            ["use_sliding_window"] = Text.UseSlidingWindow,
            ["sliding_window"] = Text.SlidingWindow,
            ["rope_scaling"] = new JsonObject
            {
                ["type"] = "mrope",
                ["mrope_section"] = new JsonArray(Text.MropeSection.Select(s => (JsonNode)s).ToArray()),
            },
            ["bos_token_id"] = BosTokenId,
            ["eos_token_id"] = EosTokenIds.Length == 1 ? EosTokenIds[0] : new JsonArray(EosTokenIds.Select(id => (JsonNode)id).ToArray()),
            ["image_token_id"] = ImageTokenId,
            ["video_token_id"] = VideoTokenId,
            ["vision_start_token_id"] = VisionStartTokenId,
            ["vision_end_token_id"] = VisionEndTokenId,
            ["vision_config"] = new JsonObject
            {
                ["depth"] = v.Depth,
                ["hidden_size"] = v.HiddenSize,
                ["intermediate_size"] = v.IntermediateSize,
                ["num_heads"] = v.Heads,
                ["out_hidden_size"] = v.OutHiddenSize,
                ["patch_size"] = v.PatchSize,
                ["temporal_patch_size"] = v.TemporalPatchSize,
                ["spatial_merge_size"] = v.SpatialMergeSize,
                ["in_chans"] = v.InChannels,
                ["window_size"] = v.WindowSize,
                ["fullatt_block_indexes"] = new JsonArray(v.FullAttentionBlocks.Select(b => (JsonNode)b).ToArray()),
                ["tokens_per_second"] = v.TokensPerSecond,
                ["hidden_act"] = v.HiddenAct,
            },
        };
    }

    private void Validate(string path)
    {
        void Require(bool condition, string problem)
        {
            if (!condition)
            {
                throw new CheckpointException($"{path}: {problem}.");
            }
        }

        Require(Text.HiddenSize > 0 && Text.Layers > 0 && Text.AttentionHeads > 0 && Text.KeyValueHeads > 0
            && Text.IntermediateSize > 0 && Text.VocabSize > 0, "text sizes (hidden_size, num_hidden_layers, heads, intermediate_size, vocab_size) must be positive");
        Require(Text.HiddenSize % Text.AttentionHeads == 0,
            $"hidden_size {Text.HiddenSize} is not a multiple of num_attention_heads {Text.AttentionHeads}");
        Require(Text.AttentionHeads % Text.KeyValueHeads == 0,
            $"num_attention_heads {Text.AttentionHeads} is not a multiple of num_key_value_heads {Text.KeyValueHeads}");
        Require(Text.HeadSize % 2 == 0, $"the head size {Text.HeadSize} must be even for rotary embeddings");
        Require(Text.MropeSection.Length == 3 && Text.MropeSection.All(s => s > 0) && Text.MropeSection.Sum() * 2 == Text.HeadSize,
            $"rope_scaling.mrope_section [{string.Join(", ", Text.MropeSection)}] must be three positive sizes summing to half the head size ({Text.HeadSize / 2})");
        Require(Vision.Depth > 0 && Vision.HiddenSize > 0 && Vision.Heads > 0 && Vision.IntermediateSize > 0 && Vision.OutHiddenSize > 0,
            "vision_config sizes (depth, hidden_size, num_heads, intermediate_size, out_hidden_size) must be positive");
        Require(Vision.HiddenSize % Vision.Heads == 0, $"vision_config.hidden_size {Vision.HiddenSize} is not a multiple of num_heads {Vision.Heads}");
        Require(Vision.HeadSize % 4 == 0, $"the vision head size {Vision.HeadSize} must be a multiple of 4 for the 2-D rotary embedding");
        Require(Vision.OutHiddenSize == Text.HiddenSize,
            $"vision_config.out_hidden_size {Vision.OutHiddenSize} differs from the text hidden_size {Text.HiddenSize}");
        Require(Vision.FullAttentionBlocks.All(b => b >= 0 && b < Vision.Depth),
            $"vision_config.fullatt_block_indexes [{string.Join(", ", Vision.FullAttentionBlocks)}] must lie within depth {Vision.Depth}");
        Require(Vision.SpatialMergeSize > 0 && Vision.PatchSize > 0 && Vision.TemporalPatchSize > 0,
            "vision_config patch_size, temporal_patch_size and spatial_merge_size must be positive");
        Require(Vision.WindowSize % (Vision.SpatialMergeSize * Vision.PatchSize) == 0,
            $"vision_config.window_size {Vision.WindowSize} is not a multiple of spatial_merge_size x patch_size ({Vision.SpatialMergeSize * Vision.PatchSize})");
        Require(Vision.HiddenAct == "silu", $"vision_config.hidden_act '{Vision.HiddenAct}' is not supported (Qwen2.5-VL uses silu)");
    }

    /// <summary>Reads typed values and names the key when one has the wrong type.</summary>
    private sealed class ConfigReader(string path)
    {
        public string? String(JsonObject? node, string key) => Read(node, key, v => v.GetValue<string>());

        public int? Int(JsonObject? node, string key) => Read(node, key, v => (int)v.GetValue<long>());

        public double? Double(JsonObject? node, string key) => Read(node, key, v => v.GetValue<double>());

        public bool? Bool(JsonObject? node, string key) => Read(node, key, v => v.GetValue<bool>());

        public int RequiredInt(JsonObject? node, string key) =>
            Int(node, key) ?? throw new CheckpointException($"{path} has no '{key}'.");

        public int[] IntArray(JsonArray array, string key)
        {
            try
            {
                return array.Select(v => (int)v!.GetValue<long>()).ToArray();
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or NullReferenceException)
            {
                throw new CheckpointException($"{path}: '{key}' must be a list of integers.", ex);
            }
        }

        private T? Read<T>(JsonObject? node, string key, Func<JsonValue, T> read) where T : struct
        {
            if (node?[key] is not JsonValue value)
            {
                return null;
            }
            try
            {
                return read(value);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException)
            {
                throw new CheckpointException($"{path}: '{key}' has the wrong type ({value.ToJsonString()}).", ex);
            }
        }

        private string? Read(JsonObject? node, string key, Func<JsonValue, string> read)
        {
            if (node?[key] is not JsonValue value)
            {
                return null;
            }
            try
            {
                return read(value);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException)
            {
                throw new CheckpointException($"{path}: '{key}' must be a string ({value.ToJsonString()}).", ex);
            }
        }
    }
}

public sealed record Qwen25VlTextConfig
{
    public required int HiddenSize { get; init; }

    public required int Layers { get; init; }

    public required int AttentionHeads { get; init; }

    public required int KeyValueHeads { get; init; }

    public required int IntermediateSize { get; init; }

    public required int VocabSize { get; init; }

    public double RmsNormEpsilon { get; init; } = 1e-6;

    public double RopeTheta { get; init; } = 1_000_000;

    /// <summary>Rotary frequencies per axis (t, h, w), summing to half the head size (7B: [16, 24, 24]).</summary>
    public required int[] MropeSection { get; init; }

    public int MaxPositionEmbeddings { get; init; } = 128000;

    public bool TieWordEmbeddings { get; init; }

    /// <summary>Qwen2.5-VL's config carries sliding_window 32768 even with use_sliding_window false: attention is full.</summary>
    public bool UseSlidingWindow { get; init; }

    public int SlidingWindow { get; init; }

    public int HeadSize => HiddenSize / AttentionHeads;
}

public sealed record Qwen25VlVisionConfig
{
    public required int Depth { get; init; }

    public required int HiddenSize { get; init; }

    public required int IntermediateSize { get; init; }

    public required int Heads { get; init; }

    public required int OutHiddenSize { get; init; }

    public int PatchSize { get; init; } = 14;

    public int TemporalPatchSize { get; init; } = 2;

    public int SpatialMergeSize { get; init; } = 2;

    public int InChannels { get; init; } = 3;

    /// <summary>Window edge in pixels (112 = 4 merged units of 2x14 pixels).</summary>
    public required int WindowSize { get; init; }

    public required int[] FullAttentionBlocks { get; init; }

    public double TokensPerSecond { get; init; } = 2;

    public string HiddenAct { get; init; } = "silu";

    public int HeadSize => HiddenSize / Heads;

    /// <summary>Values per pixel_values row: channels x temporal patch x patch x patch (1176 for Qwen2.5-VL).</summary>
    public int PatchInputSize => InChannels * TemporalPatchSize * PatchSize * PatchSize;

    /// <summary>Window edge in merged units (4 for Qwen2.5-VL).</summary>
    public int WindowUnits => WindowSize / SpatialMergeSize / PatchSize;
}
