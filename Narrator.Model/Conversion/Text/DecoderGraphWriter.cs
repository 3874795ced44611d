using Google.Protobuf;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Graphs;
using static Narrator.Model.Onnx.Graphs.OnnxGraphBuilder;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Conversion.Text;

/// <summary>
/// Writes Qwen2.5-VL's text decoder as ONNX Runtime contrib ops, the pattern fast exporters use (onnxruntime-genai's
/// builders): SimplifiedLayerNormalization / SkipSimplifiedLayerNormalization, q/k/v with bias and o without, M-RoPE
/// applied by RotaryEmbedding from per-token cos/sin rows computed in the graph from position_ids [3,B,S] and
/// mrope_section, GroupQueryAttention (full causal attention: local_window_size -1, no windowed cache, past and present
/// may share one max-length buffer), SwiGLU MLP, final norm and the LM head on the last position only. With
/// <see cref="DecodeStepAttention.GroupedHeads"/> each layer's attention is an If: a single-token step attends in grouped
/// form (<see cref="GroupedDecodeStep"/>), every other run through the same GroupQueryAttention node.
/// The residual stream, the norms and the rotary embedding are fp32 in every precision (as transformers computes them);
/// matmuls, attention and the KV cache run at the precision's activation type; logits are fp32.
/// </summary>
internal sealed class DecoderGraphWriter
{
    public const string FileName = "decoder.onnx";

    private readonly OnnxGraphBuilder _g;
    private readonly CheckpointWeightWriter _weights;
    private readonly Qwen25VlTextConfig _text;
    private readonly TextPrecision _precision;
    private readonly Int4Options _int4;
    private readonly DecodeStepAttention _decodeAttention;
    private readonly DataType _io;

    private DecoderGraphWriter(OnnxGraphBuilder g, CheckpointWeightWriter weights, Qwen25VlTextConfig text, TextPrecision precision, Int4Options int4,
        DecodeStepAttention decodeAttention)
    {
        _g = g;
        _weights = weights;
        _text = text;
        _precision = precision;
        _int4 = int4;
        _decodeAttention = decodeAttention;
        _io = OnnxElementTypes.Activations(precision, int4);
    }

    /// <summary>Every checkpoint tensor the decoder reads, with the shape config.json implies.</summary>
    public static IEnumerable<(string Name, long[] Shape)> Tensors(Qwen25VlTextConfig text)
    {
        int hidden = text.HiddenSize, q = text.AttentionHeads * text.HeadSize, kv = text.KeyValueHeads * text.HeadSize;
        for (int layer = 0; layer < text.Layers; layer++)
        {
            string p = $"model.layers.{layer}.";
            yield return (p + "input_layernorm.weight", [hidden]);
            yield return (p + "self_attn.q_proj.weight", [q, hidden]);
            yield return (p + "self_attn.q_proj.bias", [q]);
            yield return (p + "self_attn.k_proj.weight", [kv, hidden]);
            yield return (p + "self_attn.k_proj.bias", [kv]);
            yield return (p + "self_attn.v_proj.weight", [kv, hidden]);
            yield return (p + "self_attn.v_proj.bias", [kv]);
            yield return (p + "self_attn.o_proj.weight", [hidden, q]);
            yield return (p + "post_attention_layernorm.weight", [hidden]);
            yield return (p + "mlp.gate_proj.weight", [text.IntermediateSize, hidden]);
            yield return (p + "mlp.up_proj.weight", [text.IntermediateSize, hidden]);
            yield return (p + "mlp.down_proj.weight", [hidden, text.IntermediateSize]);
        }
        yield return ("model.norm.weight", [hidden]);
        yield return (text.TieWordEmbeddings ? EmbeddingGraphWriter.TableName : "lm_head.weight", [text.VocabSize, hidden]);
    }

    /// <summary>Writes decoder.onnx and decoder.onnx.data into <paramref name="directory"/>; returns the genai_config decoder section.</summary>
    public static GenAiDecoderConfig Write(HfCheckpoint checkpoint, string directory, TextPrecision precision, Int4Options int4,
        DecodeStepAttention decodeAttention, IReadOnlyDictionary<string, string> metadata, Action<long> onBytes, CancellationToken cancellationToken)
    {
        var text = checkpoint.Config.Text;
        Check(checkpoint);
        var config = new GenAiDecoderConfig
        {
            Filename = FileName,
            HeadSize = text.HeadSize,
            HiddenSize = text.HiddenSize,
            NumAttentionHeads = text.AttentionHeads,
            NumKeyValueHeads = text.KeyValueHeads,
            NumHiddenLayers = text.Layers,
        };
        string modelPath = Path.Combine(directory, FileName);
        Onnx.Proto.ModelProto model;
        using (var data = new ExternalDataFile(modelPath + ".data"))
        {
            var g = new OnnxGraphBuilder("qwen2_5_vl_text_decoder", data);
            var writer = new DecoderGraphWriter(g, new CheckpointWeightWriter(checkpoint, g, onBytes, cancellationToken), text, precision, int4, decodeAttention);
            writer.Build(config, cancellationToken);
            model = g.ToModel(metadata);
        }
        using (var stream = File.Create(modelPath))
        {
            model.WriteTo(stream);
        }
        return config;
    }

    /// <summary>
    /// Refuses, before anything is written, a text model ONNX Runtime's kernels cannot take and any missing, misshapen
    /// or non-float tensor (a sentence naming the file and the tensor); returns the bytes the decoder will read.
    /// </summary>
    public static long Check(HfCheckpoint checkpoint)
    {
        var text = checkpoint.Config.Text;
        string configPath = Path.Combine(checkpoint.Directory, Qwen25VlConfig.FileName);
        if (text.HeadSize % 8 != 0)
        {
            throw new CheckpointException(
                $"{configPath}: the text head size {text.HeadSize} (hidden_size / num_attention_heads) is not a multiple of 8, which ONNX Runtime's GroupQueryAttention requires.");
        }
        if (text.UseSlidingWindow)
        {
            throw new CheckpointException(
                $"{configPath}: use_sliding_window is true; Narrator converts Qwen2.5-VL with full attention only (the published checkpoints set it to false).");
        }
        return Tensors(text).Sum(t => checkpoint.Tensor(t.Name, t.Shape).ByteLength);
    }

    private void Build(GenAiDecoderConfig config, CancellationToken cancellationToken)
    {
        var g = _g;
        int hidden = _text.HiddenSize, headSize = _text.HeadSize, heads = _text.AttentionHeads, kvHeads = _text.KeyValueHeads;
        var inputs = config.Inputs;

        string embeds = g.Input(inputs.InputsEmbeds, _io, "batch_size", "sequence_length", hidden);
        string mask = g.Input(inputs.AttentionMask, DataType.Int64, "batch_size", "total_sequence_length");
        string positions = g.Input(inputs.PositionIds, DataType.Int64, 3, "batch_size", "sequence_length");

        // GroupQueryAttention's lengths: seqlens_k = tokens seen - 1 per sequence, total = the mask's width (scalar).
        string seen = g.Node("ReduceSum", [mask, g.Int64Vector(1)], Attr("keepdims", 0L));
        string newest = g.Sub(seen, g.Int64Scalar(1));
        string seqlensK = g.Cast(newest, DataType.Int32);
        string totalLength = g.Cast(g.Squeeze(g.ShapeOf(mask, 1, 2), 0), DataType.Int32);
        var rotary = RotaryRows(positions);
        var step = _decodeAttention == DecodeStepAttention.GroupedHeads
            ? GroupedDecodeStep.Inputs(g, embeds, mask, seen, newest, config.PastKeyName(0), kvHeads)
            : null;

        string residual = ToFloat(embeds);
        string x = ToIo(g.Node("SimplifiedLayerNormalization", [residual, NormWeight("model.layers.0.input_layernorm.weight")],
            Attr("epsilon", (float)_text.RmsNormEpsilon), Attr("axis", -1L), Attr("stash_type", 1L)));
        string? mlp = null;
        for (int layer = 0; layer < _text.Layers; layer++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string p = $"model.layers.{layer}.";
            if (mlp is not null)
            {
                (x, residual) = SkipNorm(mlp, residual, p + "input_layernorm.weight");
            }
            string q = Linear(x, p + "self_attn.q_proj", heads * headSize, hidden, bias: true);
            string k = Linear(x, p + "self_attn.k_proj", kvHeads * headSize, hidden, bias: true);
            string v = Linear(x, p + "self_attn.v_proj", kvHeads * headSize, hidden, bias: true);
            q = Rotate(q, rotary, heads);
            k = Rotate(k, rotary, kvHeads);

            string pastKey = g.Input(config.PastKeyName(layer), _io, "batch_size", kvHeads, "past_sequence_length", headSize);
            string pastValue = g.Input(config.PastValueName(layer), _io, "batch_size", kvHeads, "past_sequence_length", headSize);
            string presentKey = config.PresentKeyName(layer), presentValue = config.PresentValueName(layer);
            string attention;
            if (step is null)
            {
                attention = GroupQueryAttention(g, q, k, v, pastKey, pastValue, seqlensK, totalLength, presentKey, presentValue, heads, kvHeads, headSize);
            }
            else
            {
                // Both branches read q/k/v and the buffers from this scope; their present outputs become the If's, so a
                // buffer bound as past and present is written in place by whichever branch runs.
                var grouped = g.Subgraph($"layer{layer}_decode_step");
                var (stepAttention, stepKey, stepValue) = step.Attend(grouped, q, k, v, pastKey, pastValue, heads, headSize);
                var prefill = g.Subgraph($"layer{layer}_prefill");
                string prefillKey = prefill.FreshName("present_key"), prefillValue = prefill.FreshName("present_value");
                string prefillAttention = GroupQueryAttention(prefill, q, k, v, pastKey, pastValue, seqlensK, totalLength, prefillKey, prefillValue,
                    heads, kvHeads, headSize);
                foreach (var (branch, result, key, value) in new[] { (grouped, stepAttention, stepKey, stepValue), (prefill, prefillAttention, prefillKey, prefillValue) })
                {
                    branch.Output(result, result, _io, "batch_size", "sequence_length", heads * headSize);
                    branch.Output(key, key, _io, "batch_size", kvHeads, "total_sequence_length", headSize);
                    branch.Output(value, value, _io, "batch_size", kvHeads, "total_sequence_length", headSize);
                }
                attention = g.If(step.Condition, grouped, prefill, g.FreshName("attention"), presentKey, presentValue)[0];
            }
            g.Output(presentKey, presentKey, _io, "batch_size", kvHeads, "total_sequence_length", headSize);
            g.Output(presentValue, presentValue, _io, "batch_size", kvHeads, "total_sequence_length", headSize);

            string output = Linear(attention, p + "self_attn.o_proj", hidden, heads * headSize, bias: false);
            (x, residual) = SkipNorm(output, residual, p + "post_attention_layernorm.weight");
            string gate = Linear(x, p + "mlp.gate_proj", _text.IntermediateSize, hidden, bias: false);
            string up = Linear(x, p + "mlp.up_proj", _text.IntermediateSize, hidden, bias: false);
            string swiglu = g.Mul(g.Mul(gate, g.Node("Sigmoid", [gate])), up);
            mlp = Linear(swiglu, p + "mlp.down_proj", hidden, _text.IntermediateSize, bias: false);
        }

        // Only the last position is normed and headed: the generator samples from it, and [S, vocab] logits per chunk are waste.
        string lastMlp = g.Slice(mlp!, -1, long.MaxValue, 1);
        string lastResidual = g.Slice(residual, -1, long.MaxValue, 1);
        string final = SkipNorm(lastMlp, lastResidual, "model.norm.weight", withSum: false).Normed;
        // A tied head (tie_word_embeddings) reads the embedding table; Qwen2.5-VL-7B has its own lm_head.
        string head = _text.TieWordEmbeddings ? "model.embed_tokens" : "lm_head";
        string logits = ToFloat(Linear(final, head, _text.VocabSize, hidden, bias: false));
        g.Output(logits, config.Outputs.Logits, DataType.Float, "batch_size", 1, _text.VocabSize);
    }

    /// <summary>
    /// The decoder's attention node (also what the kernels benchmark times): full causal attention over past + this chunk,
    /// present written into the past's buffer when both are bound to one; returns the attention output [B,S,heads·head].
    /// </summary>
    internal static string GroupQueryAttention(OnnxGraphBuilder g, string q, string k, string v, string pastKey, string pastValue,
        string seqlensK, string totalLength, string presentKey, string presentValue, int heads, int kvHeads, int headSize) =>
        g.MicrosoftNode("GroupQueryAttention", [q, k, v, pastKey, pastValue, seqlensK, totalLength],
            [g.FreshName("attention"), presentKey, presentValue],
            Attr("num_heads", (long)heads), Attr("kv_num_heads", (long)kvHeads), Attr("scale", 1f / MathF.Sqrt(headSize)),
            // Qwen2.5-VL attends to the whole past (use_sliding_window false, whatever sliding_window says); a window
            // here, or sliding_window_cache, makes a growing cache fail.
            Attr("local_window_size", -1L), Attr("do_rotary", 0L), Attr("rotary_interleaved", 0L), Attr("softcap", 0f))[0];

    /// <summary>
    /// cos/sin rows [B·S, head/2] for each token's own M-RoPE angles: frequency j takes its position from axis t, h or w
    /// by mrope_section (HF's mrope_section * 2 split of cat(freqs, freqs) is the same on both halves), and
    /// RotaryEmbedding reads row b·S+s through positions Range(0, B·S) shaped [B,S].
    /// </summary>
    private (string Cos, string Sin, string Positions) RotaryRows(string positions)
    {
        var g = _g;
        int half = _text.HeadSize / 2;
        var axisOfFrequency = new long[half];
        var inverseFrequency = new float[half];
        int axis = 0, used = 0;
        for (int j = 0; j < half; j++)
        {
            while (j - used >= _text.MropeSection[axis])
            {
                used += _text.MropeSection[axis];
                axis++;
            }
            axisOfFrequency[j] = axis;
            // As transformers: 1 / theta^(2j / head) in fp32.
            inverseFrequency[j] = 1f / MathF.Pow((float)_text.RopeTheta, 2 * j / (float)_text.HeadSize);
        }
        string perFrequency = g.Gather(positions, g.Int64s("rotary.axis_of_frequency", axisOfFrequency, half), 0);
        string angles = g.Mul(g.Transpose(g.Cast(perFrequency, DataType.Float), 1, 2, 0), g.Floats("rotary.inv_freq", inverseFrequency, half));
        string cos = g.Reshape(g.Node("Cos", [angles]), -1, half);
        string sin = g.Reshape(g.Node("Sin", [angles]), -1, half);
        string batchAndSequence = g.ShapeOf(positions, 1, 3);
        string tokens = g.Node("ReduceProd", [batchAndSequence], Attr("keepdims", 0L));
        string rows = g.Node("Reshape", [g.Node("Range", [g.Int64Scalar(0), tokens, g.Int64Scalar(1)]), batchAndSequence]);
        return (cos, sin, rows);
    }

    /// <summary>q or k [B,S,n·head] rotated in fp32 (rotate_half layout, interleaved 0).</summary>
    private string Rotate(string x, (string Cos, string Sin, string Positions) rotary, int headCount) =>
        ToIo(_g.MicrosoftNode("RotaryEmbedding", [ToFloat(x), rotary.Positions, rotary.Cos, rotary.Sin],
            Attr("interleaved", 0L), Attr("num_heads", (long)headCount), Attr("rotary_embedding_dim", (long)_text.HeadSize)));

    /// <summary>RMSNorm(residual + x) with the new residual; x arrives at the activation type, the residual stays fp32.</summary>
    private (string Normed, string Residual) SkipNorm(string x, string residual, string weight, bool withSum = true)
    {
        string sum = withSum ? _g.FreshName("residual") : "";
        string normed = _g.FreshName("normed");
        string[] outputs = withSum ? [normed, "", "", sum] : [normed];
        _g.MicrosoftNode("SkipSimplifiedLayerNormalization", [ToFloat(x), residual, NormWeight(weight)], outputs,
            Attr("epsilon", (float)_text.RmsNormEpsilon));
        return (ToIo(normed), sum);
    }

    private string NormWeight(string name) => _weights.Vector(name, _text.HiddenSize, DataType.Float);

    /// <summary>x·Wᵀ (+ b) with the checkpoint's [out, in] weight: MatMul on a transposed copy, or MatMulNBits for int4.</summary>
    private string Linear(string x, string name, int outputs, int inputs, bool bias)
    {
        string y;
        if (_precision == TextPrecision.Int4)
        {
            var (packed, scales) = _weights.Int4(name + ".weight", outputs, inputs, _int4.BlockSize, _io);
            y = MatMulNBits(_g, x, packed, scales, outputs, inputs, _int4.BlockSize, _int4.AccuracyLevel);
        }
        else
        {
            y = _g.MatMul(x, _weights.Transposed(name + ".weight", outputs, inputs, _io));
        }
        return bias ? _g.Add(y, _weights.Vector(name + ".bias", outputs, _io)) : y;
    }

    /// <summary>x·Wᵀ with W [N,K] packed by <see cref="Int4BlockQuantizer"/> (also what the kernels benchmark times).</summary>
    internal static string MatMulNBits(OnnxGraphBuilder g, string x, string packed, string scales, int outputs, int inputs, int blockSize, int accuracyLevel) =>
        g.MicrosoftNode("MatMulNBits", [x, packed, scales],
            Attr("K", (long)inputs), Attr("N", (long)outputs), Attr("bits", (long)Int4BlockQuantizer.Bits),
            Attr("block_size", (long)blockSize), Attr("accuracy_level", (long)accuracyLevel));

    private string ToFloat(string x) => _io == DataType.Float ? x : _g.Cast(x, DataType.Float);

    private string ToIo(string x) => _io == DataType.Float ? x : _g.Cast(x, _io);
}
