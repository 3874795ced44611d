using Narrator.Model.Onnx.Graphs;
using static Narrator.Model.Onnx.Graphs.OnnxGraphBuilder;

namespace Narrator.Model.Conversion.Text;

/// <summary>
/// The decode step's attention in grouped-heads form (<see cref="DecodeStepAttention.GroupedHeads"/>): the new token's k
/// and v written into the KV buffer at its position with ScatterND, then the query heads of each KV head as one product
/// over the whole buffer, so each KV head is read once per step (ONNX Runtime's CPU GroupQueryAttention reads it once
/// per query head). The values every layer shares (the If condition, the write indices, the filled length, the padding)
/// are computed once in the outer graph by <see cref="Inputs"/>; <see cref="Attend"/> writes one layer's branch.
/// </summary>
internal sealed class GroupedDecodeStep
{
    private readonly string _indices;
    private readonly string _length;
    private readonly string _pads;
    private readonly int _kvHeads;

    private GroupedDecodeStep(string condition, string indices, string length, string pads, int kvHeads)
    {
        Condition = condition;
        _kvHeads = kvHeads;
        _indices = indices;
        _length = length;
        _pads = pads;
    }

    /// <summary>
    /// Bool scalar: one token of one sequence (batch · sequence = 1) and a KV buffer with room for it (past and present
    /// shared). Prefill chunks, batches and a past of exactly the tokens so far take GroupQueryAttention.
    /// </summary>
    public string Condition { get; }

    /// <summary>
    /// The shared values, from the decoder's inputs: <paramref name="seen"/> = the mask's sum [B] (tokens including this
    /// one), <paramref name="newest"/> = seen - 1 (this token's position), <paramref name="pastKey"/> = a layer's past key
    /// (every layer's buffer has the same capacity).
    /// </summary>
    public static GroupedDecodeStep Inputs(OnnxGraphBuilder g, string embeds, string mask, string seen, string newest, string pastKey, int kvHeads)
    {
        string tokens = g.Node("ReduceProd", [g.ShapeOf(embeds, 0, 2)], Attr("keepdims", 0L));
        string capacity = g.ShapeOf(pastKey, 2, 3);
        string room = g.Squeeze(g.Node("GreaterOrEqual", [capacity, g.ShapeOf(mask, 1, 2)]), 0);
        string condition = g.Node("And", [g.Node("Equal", [tokens, g.Int64Scalar(1)]), room]);

        // ScatterND indices [kv, 3] = (0, h, position) for every KV head.
        var heads = new long[kvHeads * 2];
        for (int h = 0; h < kvHeads; h++)
        {
            heads[2 * h + 1] = h;
        }
        string position = g.Node("Expand", [g.Unsqueeze(newest, 1), g.Int64Vector(kvHeads, 1)]);
        string indices = g.Concat(1, g.Int64s(g.FreshName("decode_step.heads"), heads, kvHeads, 2), position);
        return new GroupedDecodeStep(condition, indices, seen, Pads(g, capacity, seen), kvHeads);
    }

    /// <summary>
    /// One layer's step in <paramref name="branch"/>: returns the attention [1,1,heads·head] and the key and value buffers
    /// after the write (ScatterND's outputs, which ONNX Runtime places in the buffer bound as present).
    /// </summary>
    public (string Attention, string Key, string Value) Attend(OnnxGraphBuilder branch, string q, string k, string v, string pastKey, string pastValue,
        int heads, int headSize)
    {
        // k and v [1,1,kv·head] as the ScatterND updates [kv, head].
        string key = branch.Node("ScatterND", [pastKey, _indices, branch.Reshape(k, _kvHeads, headSize)]);
        string value = branch.Node("ScatterND", [pastValue, _indices, branch.Reshape(v, _kvHeads, headSize)]);
        return (Attention(branch, q, key, value, _length, _pads, heads, _kvHeads, headSize), key, value);
    }

    /// <summary>
    /// q [1,1,heads·head] over buffers [1,kv,capacity,head] filled up to <paramref name="length"/> (int64 [1]): q as
    /// [1,kv,group,head], FusedMatMul (transB, alpha 1/√head) with the whole key buffer, the scores sliced to the filled
    /// length for the Softmax and padded back with exact zeros (a −inf mask leaves subnormal weights that the product with
    /// V multiplies slowly), · the whole value buffer; [1,1,heads·head]. Also what the kernels benchmark times.
    /// </summary>
    internal static string Attention(OnnxGraphBuilder g, string q, string keyBuffer, string valueBuffer, string length, string pads,
        int heads, int kvHeads, int headSize)
    {
        string grouped = g.Reshape(q, 1, kvHeads, heads / kvHeads, headSize);
        string scores = g.MicrosoftNode("FusedMatMul", [grouped, keyBuffer],
            Attr("transA", 0L), Attr("transB", 1L), Attr("alpha", 1f / MathF.Sqrt(headSize)));
        string filled = g.Node("Slice", [scores, g.Int64Vector(0), length, g.Int64Vector(3)]);
        string weights = g.Node("Softmax", [filled], Attr("axis", -1L));
        string padded = g.Node("Pad", [weights, pads]);
        return g.Reshape(g.MatMul(padded, valueBuffer), 1, 1, heads * headSize);
    }

    /// <summary>Pad's pads [8] for scores [1,kv,group,length]: nothing before, capacity - length zeros after the last axis.</summary>
    internal static string Pads(OnnxGraphBuilder g, string capacity, string length) =>
        g.Concat(0, g.Int64Vector(0, 0, 0, 0, 0, 0, 0), g.Sub(capacity, length));
}
