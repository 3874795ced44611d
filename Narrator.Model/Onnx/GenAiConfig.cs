using System.Text.Json;
using System.Text.Json.Serialization;

namespace Narrator.Model.Onnx;

/// <summary>
/// The onnxruntime-genai <c>genai_config.json</c> of a <c>qwen2_5_vl</c> package: file names, input/output names,
/// model dimensions, special token ids and search defaults. Names default to onnxruntime-genai's own defaults.
/// </summary>
public sealed record GenAiConfig
{
    public const string FileName = "genai_config.json";

    public GenAiModelConfig Model { get; init; } = new();

    public GenAiSearchConfig Search { get; init; } = new();

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses and checks the config; any problem is a <see cref="ModelPackageException"/> naming the file and field.</summary>
    public static GenAiConfig Parse(string json, string path)
    {
        GenAiConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<GenAiConfig>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            string where = ex.LineNumber is long line ? $" at line {line + 1}" : "";
            throw new ModelPackageException($"{path} is not valid genai_config JSON{where}: {ex.Message}", ex);
        }
        if (config is null)
        {
            throw new ModelPackageException($"{path} is empty (expected a genai_config object).");
        }
        config.Validate(path);
        return config;
    }

    private void Validate(string path)
    {
        var decoder = Model.Decoder;
        Require(!string.IsNullOrWhiteSpace(decoder.Filename), "model.decoder.filename is missing");
        Require(!string.IsNullOrWhiteSpace(Model.Embedding.Filename), "model.embedding.filename is missing");
        Require(!string.IsNullOrWhiteSpace(Model.Vision.Filename), "model.vision.filename is missing");
        Require(decoder.NumHiddenLayers > 0, "model.decoder.num_hidden_layers must be positive");
        Require(decoder.NumKeyValueHeads > 0, "model.decoder.num_key_value_heads must be positive");
        Require(decoder.NumAttentionHeads > 0 && decoder.NumAttentionHeads % decoder.NumKeyValueHeads == 0,
            "model.decoder.num_attention_heads must be a positive multiple of num_key_value_heads");
        Require(decoder.HeadSize > 0, "model.decoder.head_size must be positive");
        Require(decoder.HiddenSize > 0, "model.decoder.hidden_size must be positive");
        Require(Model.ContextLength >= 0, "model.context_length must not be negative");
        Require(decoder.SlidingWindow is null || decoder.SlidingWindow.WindowSize > 0,
            "model.decoder.sliding_window.window_size must be positive (leave sliding_window out for full attention)");
        Require(decoder.Inputs.PastKeyNames.Contains("%d", StringComparison.Ordinal)
            && decoder.Inputs.PastValueNames.Contains("%d", StringComparison.Ordinal)
            && decoder.Outputs.PresentKeyNames.Contains("%d", StringComparison.Ordinal)
            && decoder.Outputs.PresentValueNames.Contains("%d", StringComparison.Ordinal),
            "model.decoder past/present name patterns must contain %d for the layer index");
        Require(Model.EosTokenId.Length > 0, "model.eos_token_id is missing");
        Require(Model.Vision.SpatialMergeSize > 0, "model.vision.spatial_merge_size must be positive");
        Require(Model.Vision.TokensPerSecond > 0, "model.vision.tokens_per_second must be positive");
        ValidateVision(Model.Vision, Require);

        void Require(bool condition, string problem)
        {
            if (!condition)
            {
                throw new ModelPackageException($"{path}: {problem}.");
            }
        }
    }

    private static void ValidateVision(GenAiVisionConfig vision, Action<bool, string> require)
    {
        var inputs = vision.Inputs;
        require(!string.IsNullOrWhiteSpace(inputs.PixelValues), "model.vision.inputs.pixel_values is missing");
        string?[] tables = [inputs.PatchOrder, inputs.RotaryCos, inputs.RotarySin, inputs.WindowPadIndex, inputs.WindowLengths,
            inputs.WindowUnpadIndex, inputs.FrameGroups, inputs.MergeReverseIndex];
        if (!vision.TakesGridTables)
        {
            require(tables.All(t => t is null),
                "model.vision.inputs names some grid tables but not patch_order: a graph takes all of them or none");
            require(!string.IsNullOrWhiteSpace(inputs.ImageGridThw),
                "model.vision.inputs names neither image_grid_thw nor the grid tables (patch_order, rotary_cos, ...)");
            return;
        }
        require(tables.All(t => !string.IsNullOrWhiteSpace(t)),
            "model.vision.inputs must name every grid table (patch_order, rotary_cos, rotary_sin, window_pad_index, window_lengths, window_unpad_index, frame_groups, merge_reverse_index)");
        require(inputs.ImageGridThw is null, "model.vision.inputs names image_grid_thw beside the grid tables; a graph takes one or the other");
        require(vision.PatchSize > 0 && vision.TemporalPatchSize > 0, "model.vision.patch_size and temporal_patch_size must be positive");
        require(vision.WindowUnits > 0, "model.vision.window_units (window edge in merged units) must be positive");
        require(vision.HiddenSize > 0 && vision.NumAttentionHeads > 0 && vision.IntermediateSize > 0 && vision.OutHiddenSize > 0,
            "model.vision hidden_size, num_attention_heads, intermediate_size and out_hidden_size must be positive");
        require(vision.HeadSize > 0 && vision.HeadSize % 4 == 0 && vision.HeadSize * vision.NumAttentionHeads == vision.HiddenSize,
            "model.vision.head_size must be a positive multiple of 4 with head_size x num_attention_heads = hidden_size");
        require(vision.RopeTheta > 0, "model.vision.rope_theta must be positive");
        require(vision.Precision is "fp32" or "bf16", $"model.vision.precision '{vision.Precision}' is not fp32 or bf16");
    }
}

public sealed record GenAiModelConfig
{
    public string Type { get; init; } = "qwen2_5_vl";

    public int VocabSize { get; init; }

    public int ContextLength { get; init; }

    public long BosTokenId { get; init; } = 151643;

    public long PadTokenId { get; init; } = 151643;

    /// <summary>onnxruntime-genai writes a single id or a list; both are read.</summary>
    [JsonConverter(typeof(TokenIdListConverter))]
    public long[] EosTokenId { get; init; } = [];

    public long ImageTokenId { get; init; } = 151655;

    public long VideoTokenId { get; init; } = 151656;

    public long VisionStartTokenId { get; init; } = 151652;

    public GenAiDecoderConfig Decoder { get; init; } = new();

    public GenAiEmbeddingConfig Embedding { get; init; } = new();

    public GenAiVisionConfig Vision { get; init; } = new();
}

public sealed record GenAiDecoderConfig
{
    public string Filename { get; init; } = "";

    public int HeadSize { get; init; }

    public int HiddenSize { get; init; }

    public int NumAttentionHeads { get; init; }

    public int NumKeyValueHeads { get; init; }

    public int NumHiddenLayers { get; init; }

    /// <summary>
    /// onnxruntime-genai's <c>sliding_window</c>: present when attention sees only the last <c>window_size</c> keys; absent
    /// for full attention (Qwen2.5-VL, whose <c>use_sliding_window</c> is false).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public GenAiSlidingWindow? SlidingWindow { get; init; }

    public GenAiDecoderInputs Inputs { get; init; } = new();

    public GenAiDecoderOutputs Outputs { get; init; } = new();

    public string PastKeyName(int layer) => LayerName(Inputs.PastKeyNames, layer);

    public string PastValueName(int layer) => LayerName(Inputs.PastValueNames, layer);

    public string PresentKeyName(int layer) => LayerName(Outputs.PresentKeyNames, layer);

    public string PresentValueName(int layer) => LayerName(Outputs.PresentValueNames, layer);

    private static string LayerName(string pattern, int layer) =>
        pattern.Replace("%d", layer.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}

public sealed record GenAiSlidingWindow
{
    public int WindowSize { get; init; }

    /// <summary>genai slides a ring cache instead of growing it; Narrator's buffer holds the whole request, so this is only read.</summary>
    public bool SlideKeyValueCache { get; init; }
}

public sealed record GenAiDecoderInputs
{
    public string InputsEmbeds { get; init; } = "inputs_embeds";

    public string AttentionMask { get; init; } = "attention_mask";

    public string PositionIds { get; init; } = "position_ids";

    public string PastKeyNames { get; init; } = "past_key_values.%d.key";

    public string PastValueNames { get; init; } = "past_key_values.%d.value";
}

public sealed record GenAiDecoderOutputs
{
    public string Logits { get; init; } = "logits";

    public string PresentKeyNames { get; init; } = "present.%d.key";

    public string PresentValueNames { get; init; } = "present.%d.value";
}

public sealed record GenAiEmbeddingConfig
{
    public string Filename { get; init; } = "";

    public GenAiEmbeddingInputs Inputs { get; init; } = new();

    public GenAiEmbeddingOutputs Outputs { get; init; } = new();
}

public sealed record GenAiEmbeddingInputs
{
    public string InputIds { get; init; } = "input_ids";

    public string ImageFeatures { get; init; } = "image_features";
}

public sealed record GenAiEmbeddingOutputs
{
    public string InputsEmbeds { get; init; } = "inputs_embeds";
}

/// <summary>
/// The vision graph. A graph Narrator's converter writes takes the tables that depend only on the grid (window
/// permutation, window and frame-group layout, rotary rows) as inputs, which the runtime computes from the sizes below;
/// a graph that takes <c>image_grid_thw</c> instead (onnxruntime-genai's layout) is run as one call.
/// </summary>
public sealed record GenAiVisionConfig
{
    public string Filename { get; init; } = "";

    public int SpatialMergeSize { get; init; } = 2;

    public int PatchSize { get; init; } = 14;

    public int TemporalPatchSize { get; init; } = 2;

    public double TokensPerSecond { get; init; } = 2;

    /// <summary>Attention window edge in merged units (Qwen2.5-VL: window_size 112 px / 14 px / merge 2 = 4); 0 for a grid-fed graph.</summary>
    public int WindowUnits { get; init; }

    /// <summary>Width of the vision blocks (7B: 1280); with the sizes below it sizes the memory a run needs.</summary>
    public int HiddenSize { get; init; }

    public int NumAttentionHeads { get; init; }

    public int HeadSize { get; init; }

    public int IntermediateSize { get; init; }

    public int OutHiddenSize { get; init; }

    public int NumHiddenLayers { get; init; }

    /// <summary>Base of the 2-D rotary frequencies (Qwen2.5-VL's VisionRotaryEmbedding: 10000).</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>Number format inside the graph: <c>fp32</c> or <c>bf16</c> (CUDA only); its inputs and output are fp32 either way.</summary>
    public string Precision { get; init; } = "fp32";

    public GenAiVisionInputs Inputs { get; init; } = new();

    public GenAiVisionOutputs Outputs { get; init; } = new();

    /// <summary>True when the graph takes the grid tables (and so may be run a few frame groups at a time).</summary>
    [JsonIgnore]
    public bool TakesGridTables => Inputs.PatchOrder is not null;
}

/// <summary>
/// Input names. <see cref="ImageGridThw"/> is null for a graph fed with grid tables; the table names are null for a
/// graph fed with <c>image_grid_thw</c>.
/// </summary>
public sealed record GenAiVisionInputs
{
    public string PixelValues { get; init; } = "pixel_values";

    public string? ImageGridThw { get; init; } = "image_grid_thw";

    /// <summary>int64 [patches]: the patch rows of pixel_values in window order.</summary>
    public string? PatchOrder { get; init; }

    /// <summary>float [patches, head_size/2]: cos of the 2-D rotary angles, rows in window order.</summary>
    public string? RotaryCos { get; init; }

    /// <summary>float [patches, head_size/2]: sin of the same angles.</summary>
    public string? RotarySin { get; init; }

    /// <summary>int64 [windows, window_units² × merge²]: window-ordered row of each padded window slot.</summary>
    public string? WindowPadIndex { get; init; }

    /// <summary>int32 [windows]: patches in each window (the key length of its attention).</summary>
    public string? WindowLengths { get; init; }

    /// <summary>int64 [patches]: padded slot of each window-ordered row.</summary>
    public string? WindowUnpadIndex { get; init; }

    /// <summary>int64 [2]: frame groups in the call and patches per group (every group of one call has the same size).</summary>
    public string? FrameGroups { get; init; }

    /// <summary>int64 [tokens]: window-ordered merged row of each output token (the inverse window permutation).</summary>
    public string? MergeReverseIndex { get; init; }

    /// <summary>Every input name the graph takes, in a fixed order.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> All => new[]
    {
        PixelValues, ImageGridThw, PatchOrder, RotaryCos, RotarySin, WindowPadIndex, WindowLengths, WindowUnpadIndex,
        FrameGroups, MergeReverseIndex,
    }.OfType<string>().ToArray();
}

public sealed record GenAiVisionOutputs
{
    public string ImageFeatures { get; init; } = "image_features";
}

/// <summary>The package's suggested sampling defaults (onnxruntime-genai "search").</summary>
public sealed record GenAiSearchConfig
{
    public bool DoSample { get; init; }

    public int MaxLength { get; init; } = 32768;

    public int MinLength { get; init; }

    public int NumBeams { get; init; } = 1;

    public int NumReturnSequences { get; init; } = 1;

    public bool PastPresentShareBuffer { get; init; }

    public double RepetitionPenalty { get; init; } = 1.0;

    public double Temperature { get; init; } = 1.0;

    public int TopK { get; init; } = 1;

    public double TopP { get; init; } = 1.0;
}

/// <summary>Reads <c>151645</c> or <c>[151645, 151643]</c>; writes a list.</summary>
internal sealed class TokenIdListConverter : JsonConverter<long[]>
{
    public override long[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return [reader.GetInt64()];
        }
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("eos_token_id must be a token id or a list of token ids.");
        }
        var ids = new List<long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw new JsonException("eos_token_id must be a token id or a list of token ids.");
            }
            ids.Add(reader.GetInt64());
        }
        return [.. ids];
    }

    public override void Write(Utf8JsonWriter writer, long[] value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (long id in value)
        {
            writer.WriteNumberValue(id);
        }
        writer.WriteEndArray();
    }
}
