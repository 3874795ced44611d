using Narrator.Model.Onnx.Graphs;
using Narrator.Model.Onnx.Proto;

namespace Narrator.Model.Onnx;

/// <summary>
/// What the decoder graph's nodes say about attention and weights, read from decoder.onnx when a package opens: whether
/// GroupQueryAttention keeps the KV cache (so one buffer can be bound as past and present), its attention window, and
/// whether the projections are int4 (MatMulNBits), and whether a decode step attends in grouped form. Nodes inside If
/// branches count like the main graph's.
/// </summary>
public sealed record DecoderGraphFacts
{
    public const string GroupQueryAttention = "GroupQueryAttention";
    public const string MatMulNBits = "MatMulNBits";
    public const string FusedMatMul = "FusedMatMul";

    /// <summary>GroupQueryAttention nodes; 0 for a decoder that concatenates past and present itself.</summary>
    public int GroupQueryAttentionNodes { get; init; }

    /// <summary>Keys each query may attend behind it (GroupQueryAttention's local_window_size), or null for full attention.</summary>
    public int? LocalWindowSize { get; init; }

    /// <summary>onnxruntime-genai's ring cache (sliding_window_cache=1): the KV buffer must hold the whole window.</summary>
    public bool SlidingWindowCache { get; init; }

    /// <summary>Bits of the quantised projections (MatMulNBits), or null when the weights are plain floats.</summary>
    public int? QuantizedBits { get; init; }

    /// <summary>MatMulNBits block size (values sharing one scale), or null.</summary>
    public int? QuantizedBlockSize { get; init; }

    /// <summary>
    /// Layers whose attention is an If that runs a single-token step in grouped form (FusedMatMul over the KV buffer) and
    /// every other run through GroupQueryAttention (<c>narrator convert --decode-attention grouped</c>); 0 for GQA only.
    /// </summary>
    public int GroupedDecodeStepLayers { get; init; }

    public bool UsesGroupQueryAttention => GroupQueryAttentionNodes > 0;

    public static DecoderGraphFacts Read(string decoderPath)
    {
        IReadOnlyList<NodeProto> nodes;
        try
        {
            nodes = OnnxNodeReader.ReadNodes(decoderPath);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelPackageException($"{decoderPath} is {ex.Message}.", ex);
        }
        return From(nodes, decoderPath);
    }

    internal static DecoderGraphFacts From(IReadOnlyList<NodeProto> nodes, string decoderPath)
    {
        int attention = 0, groupedSteps = 0;
        int? window = null;
        bool ring = false;
        int? bits = null, blockSize = null;
        groupedSteps = nodes.Count(IsGroupedDecodeStep);
        foreach (var node in nodes.WithBranches())
        {
            if (node.Domain != OnnxGraphBuilder.MicrosoftDomain)
            {
                continue;
            }
            if (node.OpType == GroupQueryAttention)
            {
                attention++;
                long size = node.IntAttribute("local_window_size", -1);
                int? nodeWindow = size > 0 ? (int)Math.Min(size, int.MaxValue) : null;
                if (attention > 1 && nodeWindow != window)
                {
                    // Per-layer windows (Gemma-style) would need per-layer buffers; Qwen2.5-VL has one rule for all layers.
                    throw new ModelPackageException(
                        $"{decoderPath}: GroupQueryAttention nodes disagree on local_window_size ({Describe(window)} and {Describe(nodeWindow)}); Narrator needs one attention window for every layer.");
                }
                window = nodeWindow;
                ring |= node.IntAttribute("sliding_window_cache", 0) != 0;
            }
            else if (node.OpType == MatMulNBits)
            {
                bits ??= (int)node.IntAttribute("bits", 4);
                blockSize ??= (int)node.IntAttribute("block_size", 0);
            }
        }
        return new DecoderGraphFacts
        {
            GroupQueryAttentionNodes = attention,
            LocalWindowSize = window,
            SlidingWindowCache = ring,
            QuantizedBits = bits,
            QuantizedBlockSize = blockSize,
            GroupedDecodeStepLayers = groupedSteps,
        };

        static bool IsGroupedDecodeStep(NodeProto node) =>
            node.OpType == "If" && node.Domain.Length == 0
            && Branch(node, "then_branch").Any(n => n.OpType == FusedMatMul)
            && Branch(node, "else_branch").Any(n => n.OpType == GroupQueryAttention);

        static IEnumerable<NodeProto> Branch(NodeProto node, string name) =>
            node.Attribute.Where(a => a.Name == name && a.G is not null).SelectMany(a => a.G.Node);

        static string Describe(int? w) => w is { } value ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "full attention";
    }
}
