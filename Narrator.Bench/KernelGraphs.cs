using Google.Protobuf;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Text;
using Narrator.Model.Onnx.Graphs;
using static Narrator.Model.Onnx.Graphs.OnnxGraphBuilder;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Bench;

/// <summary>
/// The single-purpose graphs the kernels benchmark times, at Qwen2.5-VL-7B's decode shapes, built with the converter's
/// <see cref="OnnxGraphBuilder"/> and its node helpers (the GroupQueryAttention and MatMulNBits nodes are the decoder's own).
/// Cache layout everywhere: [1, kv heads, capacity, head], fp32, as the decoder's shared KV buffer.
/// </summary>
internal static class KernelGraphs
{
    /// <summary>Opset of the standard Attention with nonpad_kv_seqlen and of TensorScatter.</summary>
    public const int AttentionOpset = 24;

    /// <summary>
    /// x [1,K] into one MatMulNBits per weight (independent nodes, outputs y0..), so one run streams all of them: enough
    /// weights per run that they cannot sit in the last-level cache, as a decode step's cannot.
    /// </summary>
    public static byte[] Gemv(IReadOnlyList<Int4Weight> weights, int accuracyLevel)
    {
        var g = new OnnxGraphBuilder("kernels_gemv");
        int k = weights[0].K;
        string x = g.Input("x", DataType.Float, 1, k);
        for (int i = 0; i < weights.Count; i++)
        {
            var w = weights[i];
            int blocks = Int4BlockQuantizer.BlockCount(w.K, w.BlockSize);
            string packed = g.Initializer($"w{i}.int4", DataType.Uint8, w.Packed, w.N, blocks, w.BlockSize / 2);
            string scales = g.Initializer($"w{i}.scales", DataType.Float, System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.Scales.AsSpan()), w.N, blocks);
            string y = DecoderGraphWriter.MatMulNBits(g, x, packed, scales, w.N, w.K, w.BlockSize, accuracyLevel);
            g.Output(y, $"y{i}", DataType.Float, 1, w.N);
        }
        return g.ToModel(new Dictionary<string, string>()).ToByteArray();
    }

    /// <summary>(a) The decoder's GroupQueryAttention for one token, past and present bound to one buffer of "capacity".</summary>
    public static byte[] GroupQueryAttention(AttentionShape s)
    {
        var g = new OnnxGraphBuilder("kernels_gqa");
        string q = g.Input("q", DataType.Float, 1, 1, s.Heads * s.HeadSize);
        string k = g.Input("k", DataType.Float, 1, 1, s.KvHeads * s.HeadSize);
        string v = g.Input("v", DataType.Float, 1, 1, s.KvHeads * s.HeadSize);
        string pastKey = g.Input("key_cache", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        string pastValue = g.Input("value_cache", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        string seqlensK = g.Input("seqlens_k", DataType.Int32, 1);
        string total = g.Input("total_sequence_length", DataType.Int32);
        string y = DecoderGraphWriter.GroupQueryAttention(g, q, k, v, pastKey, pastValue, seqlensK, total, "present_key", "present_value",
            s.Heads, s.KvHeads, s.HeadSize);
        g.Output(y, "attention", DataType.Float, 1, 1, s.Heads * s.HeadSize);
        g.Output("present_key", "present_key", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        g.Output("present_value", "present_value", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        return g.ToModel(new Dictionary<string, string>()).ToByteArray();
    }

    /// <summary>
    /// (b) The query heads of each KV head as one product over the cache: q [1,kv,group,head] · Kᵀ (FusedMatMul, transB,
    /// scale as alpha), Softmax, · V. With <paramref name="slice"/> K and V are sliced to the filled "length" (int64 [1]);
    /// otherwise the whole capacity is read and "mask" [1,1,1,capacity] (0 or -inf) is added to the scores.
    /// </summary>
    public static byte[] GroupedHeads(AttentionShape s, bool slice)
    {
        var g = new OnnxGraphBuilder("kernels_grouped");
        string q = g.Input("q", DataType.Float, 1, 1, s.Heads * s.HeadSize);
        string keyCache = g.Input("key_cache", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        string valueCache = g.Input("value_cache", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        string grouped = g.Reshape(q, 1, s.KvHeads, s.Heads / s.KvHeads, s.HeadSize);
        string keys = keyCache, values = valueCache, mask = "";
        if (slice)
        {
            string length = g.Input("length", DataType.Int64, 1);
            keys = g.Node("Slice", [keyCache, g.Int64Vector(0), length, g.Int64Vector(2)]);
            values = g.Node("Slice", [valueCache, g.Int64Vector(0), length, g.Int64Vector(2)]);
        }
        else
        {
            mask = g.Input("mask", DataType.Float, 1, 1, 1, "capacity");
        }
        string scores = g.MicrosoftNode("FusedMatMul", [grouped, keys],
            Attr("transA", 0L), Attr("transB", 1L), Attr("alpha", 1f / MathF.Sqrt(s.HeadSize)));
        if (!slice)
        {
            scores = g.Add(scores, mask);
        }
        string weights = g.Node("Softmax", [scores], Attr("axis", -1L));
        string y = g.Reshape(g.MatMul(weights, values), 1, 1, s.Heads * s.HeadSize);
        g.Output(y, "attention", DataType.Float, 1, 1, s.Heads * s.HeadSize);
        return g.ToModel(new Dictionary<string, string>()).ToByteArray();
    }

    /// <summary>
    /// (b) As <see cref="GroupedHeads"/> over the whole capacity, but only the scores (small) are sliced to the filled
    /// "length" (int64 [1]) for the Softmax, and its weights padded back with exact zeros before · V: a mask's exp()
    /// leaves weights below fp32's normal range instead, which the product with V multiplies slowly. The decoder's own
    /// decode step (<see cref="GroupedDecodeStep.Attention"/>).
    /// </summary>
    public static byte[] GroupedHeadsPadded(AttentionShape s)
    {
        var g = new OnnxGraphBuilder("kernels_grouped_padded");
        string q = g.Input("q", DataType.Float, 1, 1, s.Heads * s.HeadSize);
        string keyCache = g.Input("key_cache", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        string valueCache = g.Input("value_cache", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        string length = g.Input("length", DataType.Int64, 1);
        string pads = GroupedDecodeStep.Pads(g, g.ShapeOf(valueCache, 2, 3), length);
        string y = GroupedDecodeStep.Attention(g, q, keyCache, valueCache, length, pads, s.Heads, s.KvHeads, s.HeadSize);
        g.Output(y, "attention", DataType.Float, 1, 1, s.Heads * s.HeadSize);
        return g.ToModel(new Dictionary<string, string>()).ToByteArray();
    }

    /// <summary>
    /// (c) ONNX's standard Attention (opset 24) over the whole cache buffer with nonpad_kv_seqlen = the filled length
    /// (int64 [1]), q as [1,heads,1,head] against K/V [1,kv,capacity,head] (grouped-query by the head counts).
    /// </summary>
    public static byte[] StandardAttention(AttentionShape s)
    {
        var g = new OnnxGraphBuilder("kernels_attention");
        string q = g.Input("q", DataType.Float, 1, 1, s.Heads * s.HeadSize);
        string keyCache = g.Input("key_cache", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        string valueCache = g.Input("value_cache", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        string length = g.Input("nonpad_kv_seqlen", DataType.Int64, 1);
        string heads = g.Transpose(g.Reshape(q, 1, 1, s.Heads, s.HeadSize), 0, 2, 1, 3);
        string y = g.Node("Attention", [heads, keyCache, valueCache, "", "", "", length], Attr("scale", 1f / MathF.Sqrt(s.HeadSize)));
        string flat = g.Reshape(g.Transpose(y, 0, 2, 1, 3), 1, 1, s.Heads * s.HeadSize);
        g.Output(flat, "attention", DataType.Float, 1, 1, s.Heads * s.HeadSize);
        return g.ToModel(new Dictionary<string, string>(), opsetVersion: AttentionOpset).ToByteArray();
    }

    /// <summary>(d) TensorScatter (opset 24): "update" [1,kv,1,head] written into "cache" at "write_indices" (int64 [1]) → "present".</summary>
    public static byte[] TensorScatterWrite(AttentionShape s)
    {
        var g = new OnnxGraphBuilder("kernels_tensorscatter");
        string cache = g.Input("cache", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        string update = g.Input("update", DataType.Float, 1, s.KvHeads, 1, s.HeadSize);
        string index = g.Input("write_indices", DataType.Int64, 1);
        g.Node("TensorScatter", [cache, update, index], ["present"], Attr("axis", 2L));
        g.Output("present", "present", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        return g.ToModel(new Dictionary<string, string>(), opsetVersion: AttentionOpset).ToByteArray();
    }

    /// <summary>(d) ScatterND (opset 17, on every provider): "update" [kv, head] written at "indices" [kv, 3] = (0, h, position).</summary>
    public static byte[] ScatterNdWrite(AttentionShape s)
    {
        var g = new OnnxGraphBuilder("kernels_scatternd");
        string cache = g.Input("cache", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        string update = g.Input("update", DataType.Float, s.KvHeads, s.HeadSize);
        string indices = g.Input("indices", DataType.Int64, s.KvHeads, 3);
        g.Node("ScatterND", [cache, indices, update], ["present"]);
        g.Output("present", "present", DataType.Float, 1, s.KvHeads, "capacity", s.HeadSize);
        return g.ToModel(new Dictionary<string, string>()).ToByteArray();
    }
}
