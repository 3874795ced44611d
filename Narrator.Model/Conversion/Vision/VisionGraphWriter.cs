using Google.Protobuf;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Graphs;
using Narrator.Model.Onnx.Proto;
using static Narrator.Model.Onnx.Graphs.OnnxGraphBuilder;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Conversion.Vision;

/// <summary>
/// Writes Qwen2.5-VL's vision tower (transformers' <c>Qwen2_5_VisionTransformerPretrainedModel</c>) as <c>vision.onnx</c>
/// plus <c>vision.onnx.data</c>. Rows stay 2-D [patches, width] throughout; everything that depends on the grid comes in
/// as inputs the runtime computes (<see cref="Narrator.Model.Vision.VisionTowerTables"/>), so no shape depends on data:
/// <list type="bullet">
/// <item>window blocks gather the window-ordered rows into windows padded to window_units² × 4 slots and run
/// com.microsoft MultiHeadAttention over [windows, slots, width] with each window's length as a 1-D key mask;</item>
/// <item>full-attention blocks reshape the rows to [frame groups, patches per group, width] and run the same operator
/// with no mask (the runtime puts only equal-sized groups in one call), which ONNX Runtime's CPU kernel computes as
/// flash attention, never materialising a group's patches² scores.</item>
/// </list>
/// </summary>
public static class VisionGraphWriter
{
    public const string FileName = "vision.onnx";

    public const string ProducerName = "narrator-convert";

    private const float RmsEpsilon = 1e-6f;

    /// <summary>Writes the graph into <paramref name="outputDirectory"/> and returns genai_config.json's <c>model.vision</c> section.</summary>
    public static GenAiVisionConfig Write(HfCheckpoint checkpoint, string outputDirectory, VisionPrecision precision,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (precision == VisionPrecision.Fp16)
        {
            throw new CheckpointException(
                "Qwen2.5-VL's vision tower overflows fp16 (activations beyond ±65504 in its later blocks, transformers issue #33294): " +
                "convert the vision graph at bf16 (CUDA) or fp32 (CPU or CUDA).");
        }
        var vision = checkpoint.Config.Vision;
        Directory.CreateDirectory(outputDirectory);
        string modelPath = Path.Combine(outputDirectory, FileName);
        var config = Config(vision, precision);

        ModelProto model;
        using (var data = new ExternalDataFile(modelPath + ".data"))
        {
            var g = new OnnxGraphBuilder("qwen2_5_vl_vision", data);
            new Builder(g, checkpoint, vision, precision, cancellationToken).Build(config);
            model = g.ToModel(new Dictionary<string, string>
            {
                ["narrator.vision.precision"] = config.Precision,
                ["narrator.vision.source"] = Path.GetFileName(checkpoint.Directory),
            }, ProducerName);
        }
        using (var stream = new FileStream(modelPath, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            model.WriteTo(stream);
        }
        return config;
    }

    private static GenAiVisionConfig Config(Qwen25VlVisionConfig vision, VisionPrecision precision) => new()
    {
        Filename = FileName,
        SpatialMergeSize = vision.SpatialMergeSize,
        PatchSize = vision.PatchSize,
        TemporalPatchSize = vision.TemporalPatchSize,
        TokensPerSecond = vision.TokensPerSecond,
        WindowUnits = vision.WindowUnits,
        HiddenSize = vision.HiddenSize,
        NumAttentionHeads = vision.Heads,
        HeadSize = vision.HeadSize,
        IntermediateSize = vision.IntermediateSize,
        OutHiddenSize = vision.OutHiddenSize,
        NumHiddenLayers = vision.Depth,
        RopeTheta = 10000,
        Precision = precision == VisionPrecision.Bf16 ? "bf16" : "fp32",
        Inputs = new GenAiVisionInputs
        {
            PixelValues = "pixel_values",
            ImageGridThw = null,
            PatchOrder = "patch_order",
            RotaryCos = "rotary_cos",
            RotarySin = "rotary_sin",
            WindowPadIndex = "window_pad_index",
            WindowLengths = "window_lengths",
            WindowUnpadIndex = "window_unpad_index",
            FrameGroups = "frame_groups",
            MergeReverseIndex = "merge_reverse_index",
        },
        Outputs = new GenAiVisionOutputs { ImageFeatures = "image_features" },
    };

    /// <summary>One graph under construction; weights are read from the checkpoint one tensor at a time.</summary>
    private sealed class Builder(OnnxGraphBuilder g, HfCheckpoint checkpoint, Qwen25VlVisionConfig vision, VisionPrecision precision,
        CancellationToken cancellationToken)
    {
        private readonly DataType _type = precision == VisionPrecision.Bf16 ? DataType.Bfloat16 : DataType.Float;
        private readonly int _width = vision.HiddenSize;

        public void Build(GenAiVisionConfig config)
        {
            var inputs = config.Inputs;
            int rotary = vision.HeadSize / 2;
            int slots = vision.WindowUnits * vision.WindowUnits * vision.SpatialMergeSize * vision.SpatialMergeSize;
            string pixels = g.Input(inputs.PixelValues, DataType.Float, "num_patches", vision.PatchInputSize);
            string order = g.Input(inputs.PatchOrder!, DataType.Int64, "num_patches");
            string cos = g.Input(inputs.RotaryCos!, DataType.Float, "num_patches", rotary);
            string sin = g.Input(inputs.RotarySin!, DataType.Float, "num_patches", rotary);
            string padIndex = g.Input(inputs.WindowPadIndex!, DataType.Int64, "num_windows", slots);
            string lengths = g.Input(inputs.WindowLengths!, DataType.Int32, "num_windows");
            string unpadIndex = g.Input(inputs.WindowUnpadIndex!, DataType.Int64, "num_patches");
            string frameGroups = g.Input(inputs.FrameGroups!, DataType.Int64, 2);
            string reverse = g.Input(inputs.MergeReverseIndex!, DataType.Int64, "num_tokens");

            // Patch rows in window order from the start: Conv3d with kernel = stride is one MatMul over the flattened patch.
            string rows = Typed(g.Gather(pixels, order, 0));
            string hidden = Linear(rows, "visual.patch_embed.proj", vision.HiddenSize, vision.PatchInputSize, bias: false,
                [vision.HiddenSize, vision.InChannels, vision.TemporalPatchSize, vision.PatchSize, vision.PatchSize]);
            var attention = new AttentionLayout(
                Position: g.Int64s(g.FreshName("rotary_position"), [0L], 1),
                Cos: cos,
                Sin: sin,
                PadIndex: padIndex,
                Lengths: lengths,
                UnpadIndex: unpadIndex,
                GroupShape: g.Concat(0, frameGroups, g.Int64Vector(_width)),
                RowShape: g.Int64Vector(-1, _width));

            var fullBlocks = vision.FullAttentionBlocks.ToHashSet();
            string normed = g.Node("SimplifiedLayerNormalization", [hidden, Norm("visual.blocks.0.norm1")],
                Attr("epsilon", RmsEpsilon), Attr("axis", -1L), Attr("stash_type", 1L));
            for (int block = 0; block < vision.Depth; block++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string prefix = $"visual.blocks.{block}";
                string attended = Attention(normed, prefix, fullBlocks.Contains(block), attention);
                var (mlpInput, residual) = SkipNorm(attended, hidden, $"{prefix}.norm2");
                string mlp = Mlp(mlpInput, prefix);
                string nextNorm = block + 1 < vision.Depth ? $"visual.blocks.{block + 1}.norm1" : "visual.merger.ln_q";
                (normed, hidden) = SkipNorm(mlp, residual, nextNorm);
            }

            // Merger: four consecutive window-ordered rows (one 2x2 group) become one token; then back to processor order.
            int merged = _width * vision.SpatialMergeSize * vision.SpatialMergeSize;
            string tokens = g.Reshape(normed, -1, merged);
            string first = Linear(tokens, "visual.merger.mlp.0", merged, merged, bias: true);
            // Exact (erf) GELU in fp32 as torch computes it inside a bf16 op: bf16 would round 1/sqrt(2) itself.
            string wide = _type == DataType.Float ? first : g.Cast(first, DataType.Float);
            string gelu = Typed(g.Mul(g.Mul(wide, g.FloatScalar(0.5f)),
                g.Add(g.Node("Erf", [g.Mul(wide, g.FloatScalar((float)(1 / Math.Sqrt(2))))]), g.FloatScalar(1f))));
            string features = Linear(gelu, "visual.merger.mlp.2", vision.OutHiddenSize, merged, bias: true);
            string ordered = g.Gather(features, reverse, 0);
            if (_type != DataType.Float)
            {
                ordered = g.Cast(ordered, DataType.Float);
            }
            g.Output(ordered, config.Outputs.ImageFeatures, DataType.Float, "num_tokens", vision.OutHiddenSize);
        }

        private string Attention(string x, string prefix, bool full, AttentionLayout layout)
        {
            int width = _width;
            // qkv's rows are q, k, v one after another (reshape(N, 3, heads, head)); three Gemms spare a Split's copy.
            var parts = LinearSlices(x, $"{prefix}.attn.qkv", 3, width, width);
            string q = Rotary(parts[0], layout), k = Rotary(parts[1], layout), v = parts[2];

            string output;
            if (full)
            {
                string Grouped(string rows) => g.Node("Reshape", [rows, layout.GroupShape]);
                string attended = g.MicrosoftNode("MultiHeadAttention", [Grouped(q), Grouped(k), Grouped(v)],
                    Attr("num_heads", (long)vision.Heads));
                output = g.Node("Reshape", [attended, layout.RowShape]);
            }
            else
            {
                string Windowed(string rows) => g.Gather(rows, layout.PadIndex, 0);
                string attended = g.MicrosoftNode("MultiHeadAttention", [Windowed(q), Windowed(k), Windowed(v), "", layout.Lengths],
                    Attr("num_heads", (long)vision.Heads));
                output = g.Gather(g.Node("Reshape", [attended, layout.RowShape]), layout.UnpadIndex, 0);
            }
            return Linear(output, $"{prefix}.attn.proj", width, width, bias: true);
        }

        /// <summary>q·cos + rotate_half(q)·sin per head, in fp32 as transformers does, on rows [1, patches, width].</summary>
        private string Rotary(string rows, AttentionLayout layout)
        {
            string x = g.Unsqueeze(_type == DataType.Float ? rows : g.Cast(rows, DataType.Float), 0);
            string rotated = g.MicrosoftNode("RotaryEmbedding", [x, layout.Position, layout.Cos, layout.Sin],
                Attr("interleaved", 0L), Attr("num_heads", (long)vision.Heads));
            string back = g.Squeeze(rotated, 0);
            return _type == DataType.Float ? back : g.Cast(back, _type);
        }

        private string Mlp(string x, string prefix)
        {
            int inner = vision.IntermediateSize;
            string gate = Linear(x, $"{prefix}.mlp.gate_proj", inner, _width, bias: true);
            string up = Linear(x, $"{prefix}.mlp.up_proj", inner, _width, bias: true);
            string silu = g.Mul(gate, g.Node("Sigmoid", [gate]));
            return Linear(g.Mul(silu, up), $"{prefix}.mlp.down_proj", _width, inner, bias: true);
        }

        /// <summary>RMSNorm(x + skip) and x + skip, in one contrib node (statistics in fp32).</summary>
        private (string Normed, string Sum) SkipNorm(string x, string skip, string normName)
        {
            var outputs = g.MicrosoftNode("SkipSimplifiedLayerNormalization", [x, skip, Norm(normName)],
                [g.FreshName("normed"), "", "", g.FreshName("residual")], Attr("epsilon", RmsEpsilon));
            return (outputs[0], outputs[3]);
        }

        /// <summary>y = x·Wᵀ + b with W kept in the checkpoint's [out, in] orientation (Gemm transB).</summary>
        private string Linear(string x, string name, int outputs, int inputs, bool bias, long[]? storedShape = null)
        {
            string weight = Weight($"{name}.weight", storedShape ?? [outputs, inputs], [outputs, inputs]);
            string[] operands = bias ? [x, weight, Weight($"{name}.bias", [outputs], [outputs])] : [x, weight];
            return g.Node("Gemm", operands, Attr("transB", 1L));
        }

        private string Norm(string name) => Weight($"{name}.weight", [_width], [_width]);

        private string Weight(string tensorName, long[] storedShape, long[] dims) =>
            Store(tensorName, checkpoint.ReadFloat32(tensorName, storedShape), dims);

        /// <summary>A Linear whose weight rows hold <paramref name="count"/> outputs of <paramref name="outputs"/> each: one Gemm per part.</summary>
        private string[] LinearSlices(string x, string name, int count, int outputs, int inputs)
        {
            var weight = checkpoint.ReadFloat32($"{name}.weight", (long)count * outputs, inputs);
            var bias = checkpoint.ReadFloat32($"{name}.bias", (long)count * outputs);
            var results = new string[count];
            for (int part = 0; part < count; part++)
            {
                string w = Store($"{name}.weight.{part}", weight[(part * outputs * inputs)..((part + 1) * outputs * inputs)], [outputs, inputs]);
                string b = Store($"{name}.bias.{part}", bias[(part * outputs)..((part + 1) * outputs)], [outputs]);
                results[part] = g.Node("Gemm", [x, w, b], Attr("transB", 1L));
            }
            return results;
        }

        private string Store(string name, float[] values, long[] dims)
        {
            if (_type == DataType.Bfloat16)
            {
                var bytes = new byte[values.Length * 2];
                TensorConversion.ToBFloat16(values, bytes);
                return g.Initializer(name, DataType.Bfloat16, bytes, dims);
            }
            var floats = new byte[values.Length * 4];
            TensorConversion.ToFloat32Bytes(values, floats);
            return g.Initializer(name, DataType.Float, floats, dims);
        }

        private string Typed(string floats) => _type == DataType.Float ? floats : g.Cast(floats, _type);
    }

    /// <summary>The per-call tables every block's attention reads, and the shapes it reshapes with.</summary>
    private sealed record AttentionLayout(string Position, string Cos, string Sin, string PadIndex, string Lengths, string UnpadIndex,
        string GroupShape, string RowShape);
}
