using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Graphs;
using Narrator.Model.Onnx.Proto;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Synthetic;

/// <summary>
/// Token embedding (low-rank: fp16 [vocab, rank] then [rank, hidden]) with the k-th image-token position replaced
/// by row k of image_features (index from a cumulative sum of the image-token mask).
/// </summary>
internal static class TinyEmbeddingGraph
{
    public static ModelProto Build(TinyModelSpec spec, GenAiEmbeddingConfig names, WeightRandom random, IReadOnlyDictionary<string, string> metadata)
    {
        var g = new OnnxGraphBuilder("tiny_qwen2_5_vl_embedding");
        int hidden = spec.HiddenSize, rank = spec.EmbeddingRank;

        string ids = g.Input(names.Inputs.InputIds, DataType.Int64, "batch_size", "sequence_length");
        string features = g.Input(names.Inputs.ImageFeatures, DataType.Float, "num_image_tokens", hidden);

        // Gather the fp16 rows first so only [B,S,rank] is widened, not the whole table.
        string table = g.HalfInitializer("embed_tokens.low_rank", random.Normal(spec.VocabSize * rank, 1f), spec.VocabSize, rank);
        string rows = g.Cast(g.Gather(table, ids, 0), DataType.Float);
        string tokens = g.MatMul(rows, g.Floats("embed_tokens.up", random.Normal(rank * hidden, 1f / MathF.Sqrt(rank)), rank, hidden));

        string isImage = g.Node("Equal", [ids, g.Int64Scalar(spec.ImageTokenId)]);
        string flatIsImage = g.Reshape(isImage, -1);
        string ordinal = g.Sub(g.Node("CumSum", [g.Cast(flatIsImage, DataType.Int64), g.Int64Scalar(0)]), g.Int64Scalar(1));
        // Non-image positions point at an appended zero row, which also keeps text-only prompts (no features) valid.
        string zeroRowIndex = g.Squeeze(g.ShapeOf(features, 0, 1), 0);
        string padded = g.Concat(0, features, g.Floats("zero_feature_row", new float[hidden], 1, hidden));
        string gathered = g.Gather(padded, g.Node("Where", [flatIsImage, ordinal, zeroRowIndex]), 0);
        string placed = g.Node("Reshape", [gathered, g.Concat(0, g.ShapeOf(ids, 0, 2), g.Int64Vector(hidden))]);
        string embeds = g.Node("Where", [g.Unsqueeze(isImage, 2), placed, tokens]);

        g.Output(embeds, names.Outputs.InputsEmbeds, DataType.Float, "batch_size", "sequence_length", hidden);
        return g.ToModel(metadata, TinyModelWriter.ProducerName);
    }
}
