using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Proto;
using Narrator.Model.Onnx.Graphs;
using static Narrator.Model.Onnx.Graphs.OnnxGraphBuilder;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Synthetic;

/// <summary>
/// A small Qwen2-style decoder: RMSNorm, grouped-query attention (query head h uses KV head h / groups, as HF
/// repeat_kv) with biased q/k/v and M-RoPE per section,
/// causal + padding mask, SwiGLU MLP, final norm and a low-rank LM head on the last position only; past/present KV in the
/// genai layout, concatenated here (so its cache grows per step: the demo's path until the converter writes the demo model).
/// </summary>
internal static class TinyDecoderGraph
{
    public static ModelProto Build(TinyModelSpec spec, GenAiDecoderConfig names, WeightRandom random, IReadOnlyDictionary<string, string> metadata)
    {
        var g = new OnnxGraphBuilder("tiny_qwen2_decoder");
        int hidden = spec.HiddenSize, heads = spec.AttentionHeads, kvHeads = spec.KeyValueHeads, headSize = spec.HeadSize;
        int groups = heads / kvHeads;
        DataType kvType = ToProtoType(spec.KvElementType);

        string embeds = g.Input(names.Inputs.InputsEmbeds, DataType.Float, "batch_size", "sequence_length", hidden);
        string mask = g.Input(names.Inputs.AttentionMask, DataType.Int64, "batch_size", "total_sequence_length");
        string positions = g.Input(names.Inputs.PositionIds, DataType.Int64, 3, "batch_size", "sequence_length");

        // Query heads are grouped per KV head ([B,kv,groups*S,d]), so the bias repeats once per group along the rows.
        string attentionBias = g.Node("Tile", [AttentionBias(g, embeds, mask), g.Int64Vector(1, 1, groups, 1)]);
        var (cos, sin) = RotaryTables(g, spec, positions);

        string h = embeds;
        for (int layer = 0; layer < spec.Layers; layer++)
        {
            string pastKey = g.Input(names.PastKeyName(layer), kvType, "batch_size", kvHeads, "past_sequence_length", headSize);
            string pastValue = g.Input(names.PastValueName(layer), kvType, "batch_size", kvHeads, "past_sequence_length", headSize);

            string x = g.RmsNorm(h, g.Floats($"layers.{layer}.input_norm", random.Normal(hidden, 0.1f, 1f), hidden), spec.RmsNormEpsilon);
            string q = Heads(g, Linear(g, random, $"layers.{layer}.q", x, hidden, heads * headSize, bias: 0.5f), heads, headSize);
            string k = Heads(g, Linear(g, random, $"layers.{layer}.k", x, hidden, kvHeads * headSize, bias: 0.5f), kvHeads, headSize);
            string v = Heads(g, Linear(g, random, $"layers.{layer}.v", x, hidden, kvHeads * headSize, bias: 0.1f), kvHeads, headSize);
            q = Rotate(g, q, cos, sin, headSize);
            k = Rotate(g, k, cos, sin, headSize);

            string keys = Present(g, pastKey, k, names.PresentKeyName(layer), kvType, kvHeads, headSize);
            string values = Present(g, pastValue, v, names.PresentValueName(layer), kvType, kvHeads, headSize);

            // GQA without copying K/V per group: the query heads that share a KV head become extra rows of one matmul.
            string groupedQueries = g.Reshape(q, 0, kvHeads, -1, headSize);
            string scores = g.Mul(g.MatMul(groupedQueries, g.Transpose(keys, 0, 1, 3, 2)), g.FloatScalar(1f / MathF.Sqrt(headSize)));
            string weights = g.Node("Softmax", [g.Add(scores, attentionBias)], Attr("axis", -1L));
            string context = g.Reshape(g.MatMul(weights, values), 0, heads, -1, headSize);
            context = g.Reshape(g.Transpose(context, 0, 2, 1, 3), 0, 0, heads * headSize);
            h = g.Add(h, Linear(g, random, $"layers.{layer}.o", context, heads * headSize, hidden, bias: 0f, gain: 0.7f));

            x = g.RmsNorm(h, g.Floats($"layers.{layer}.post_attention_norm", random.Normal(hidden, 0.1f, 1f), hidden), spec.RmsNormEpsilon);
            string gate = Linear(g, random, $"layers.{layer}.gate", x, hidden, spec.IntermediateSize, bias: 0f);
            string up = Linear(g, random, $"layers.{layer}.up", x, hidden, spec.IntermediateSize, bias: 0f);
            string swiglu = g.Mul(g.Mul(gate, g.Node("Sigmoid", [gate])), up);
            h = g.Add(h, Linear(g, random, $"layers.{layer}.down", swiglu, spec.IntermediateSize, hidden, bias: 0f, gain: 0.7f));
        }

        string final = g.RmsNorm(h, g.Floats("final_norm", random.Normal(hidden, 0.1f, 1f), hidden), spec.RmsNormEpsilon);
        // The generator samples from the last position only; heading every position would make [S, vocab] logits per chunk.
        final = g.Slice(final, -1, long.MaxValue, 1);
        g.Output(LmHead(g, spec, random, final), names.Outputs.Logits, DataType.Float, "batch_size", 1, spec.VocabSize);
        return g.ToModel(metadata, TinyModelWriter.ProducerName);
    }

    /// <summary>0 where query i may see key j (j &lt;= past + i and mask[j] = 1), -1e9 elsewhere: [B,1,S,T].</summary>
    private static string AttentionBias(OnnxGraphBuilder g, string embeds, string mask)
    {
        string sequence = g.Squeeze(g.ShapeOf(embeds, 1, 2), 0);
        string total = g.Squeeze(g.ShapeOf(mask, 1, 2), 0);
        string queryIndex = g.Node("Range", [g.Sub(total, sequence), total, g.Int64Scalar(1)]);
        string keyIndex = g.Node("Range", [g.Int64Scalar(0), total, g.Int64Scalar(1)]);
        string causal = g.Node("LessOrEqual", [g.Unsqueeze(keyIndex, 0), g.Unsqueeze(queryIndex, 1)]);
        string padding = g.Unsqueeze(g.Cast(mask, DataType.Bool), 1, 2);
        string allowed = g.Node("And", [causal, padding]);
        return g.Node("Where", [allowed, g.FloatScalar(0f), g.FloatScalar(-1e9f)]);
    }

    /// <summary>
    /// cos/sin [B,1,S,head] for Qwen2.5-VL's multimodal rotary embedding: frequency i takes its position from
    /// axis t, h or w according to mrope_section, and the half-rotation repeats the same layout.
    /// </summary>
    private static (string Cos, string Sin) RotaryTables(OnnxGraphBuilder g, TinyModelSpec spec, string positions)
    {
        int half = spec.HeadSize / 2;
        var axisOfFrequency = new long[half];
        var inverseFrequency = new float[half];
        int axis = 0, used = 0;
        for (int i = 0; i < half; i++)
        {
            while (i - used >= spec.MropeSection[axis])
            {
                used += spec.MropeSection[axis];
                axis++;
            }
            axisOfFrequency[i] = axis;
            inverseFrequency[i] = 1f / MathF.Pow(spec.RopeTheta, 2f * i / spec.HeadSize);
        }
        string perFrequency = g.Gather(positions, g.Int64s("mrope_axis_of_frequency", axisOfFrequency, half), 0);
        string angles = g.Mul(g.Transpose(g.Cast(perFrequency, DataType.Float), 1, 2, 0),
            g.Floats("inv_freq", inverseFrequency, half));
        string full = g.Concat(-1, angles, angles);
        return (g.Unsqueeze(g.Node("Cos", [full]), 1), g.Unsqueeze(g.Node("Sin", [full]), 1));
    }

    private static string Rotate(OnnxGraphBuilder g, string x, string cos, string sin, int headSize)
    {
        string first = g.Slice(x, 0, headSize / 2, 3);
        string second = g.Slice(x, headSize / 2, headSize, 3);
        string rotated = g.Concat(3, g.Node("Neg", [second]), first);
        return g.Add(g.Mul(x, cos), g.Mul(rotated, sin));
    }

    /// <summary>[B,S,n*head] to [B,n,S,head].</summary>
    private static string Heads(OnnxGraphBuilder g, string x, int count, int headSize) =>
        g.Transpose(g.Reshape(x, 0, 0, count, headSize), 0, 2, 1, 3);

    /// <summary>Appends this step's keys or values to the past and emits them as present; attention reads the stored precision back.</summary>
    private static string Present(OnnxGraphBuilder g, string past, string current, string presentName, DataType kvType, int kvHeads, int headSize)
    {
        if (kvType == DataType.Float)
        {
            string present = g.Concat(2, past, current);
            g.Output(present, presentName, kvType, "batch_size", kvHeads, "total_sequence_length", headSize);
            return presentName;
        }
        string stored = g.Concat(2, past, g.Cast(current, kvType));
        g.Output(stored, presentName, kvType, "batch_size", kvHeads, "total_sequence_length", headSize);
        return g.Cast(presentName, DataType.Float);
    }

    private static string Linear(OnnxGraphBuilder g, WeightRandom random, string name, string x, int inputs, int outputs, float bias, float gain = 1f)
    {
        string y = g.MatMul(x, g.Floats(name + ".weight", random.Normal(inputs * outputs, gain / MathF.Sqrt(inputs)), inputs, outputs));
        return bias == 0f ? y : g.Add(y, g.Floats(name + ".bias", random.Normal(outputs, bias), outputs));
    }

    /// <summary>
    /// logits = (h W_r) E + b with E stored as fp16 [rank, vocab]; b keeps special and unused ids (but not eos) out of reach,
    /// so the random model still produces decodable text.
    /// </summary>
    private static string LmHead(OnnxGraphBuilder g, TinyModelSpec spec, WeightRandom random, string h)
    {
        string reduced = g.MatMul(h, g.Floats("lm_head.down", random.Normal(spec.HiddenSize * spec.EmbeddingRank, 1f / MathF.Sqrt(spec.HiddenSize)),
            spec.HiddenSize, spec.EmbeddingRank));
        string table = g.HalfFloats("lm_head.up", random.Normal(spec.EmbeddingRank * spec.VocabSize, 1f), spec.EmbeddingRank, spec.VocabSize);
        var bias = new float[spec.VocabSize];
        for (long id = spec.FirstSpecialTokenId; id < spec.VocabSize; id++)
        {
            bias[id] = Array.IndexOf(spec.EosTokenIds, id) >= 0 ? 0f : -30f;
        }
        return g.Add(g.MatMul(reduced, table), g.HalfFloats("lm_head.bias", bias, spec.VocabSize));
    }

    internal static DataType ToProtoType(TensorElementType type) => type switch
    {
        TensorElementType.Float => DataType.Float,
        TensorElementType.Float16 => DataType.Float16,
        TensorElementType.BFloat16 => DataType.Bfloat16,
        TensorElementType.Double => DataType.Double,
        TensorElementType.Int8 => DataType.Int8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "The tiny model writer cannot store KV tensors of this type."),
    };
}
