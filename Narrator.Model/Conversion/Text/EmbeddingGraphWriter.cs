using Google.Protobuf;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Graphs;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Conversion.Text;

/// <summary>
/// Writes the embedding graph: input_ids [B,S] + image_features [M, hidden] to inputs_embeds [B,S,hidden]. The token
/// table is stored exactly as in the checkpoint (bf16 stays bf16: widening after the Gather is exact and halves the
/// file) and the k-th image-token position takes row k of image_features (the generator passes the image token id where
/// the prompt holds video pads). The selection runs in fp32 and the result is cast to the decoder's activation type.
/// </summary>
internal static class EmbeddingGraphWriter
{
    public const string FileName = "embedding.onnx";

    public const string TableName = "model.embed_tokens.weight";

    /// <summary>Writes embedding.onnx (and its .data) into <paramref name="directory"/>; returns the genai_config embedding section.</summary>
    public static GenAiEmbeddingConfig Write(HfCheckpoint checkpoint, string directory, DataType outputType, DataType featureType,
        IReadOnlyDictionary<string, string> metadata, Action<long> onBytes, CancellationToken cancellationToken)
    {
        var config = new GenAiEmbeddingConfig { Filename = FileName };
        var text = checkpoint.Config.Text;
        int hidden = text.HiddenSize;
        string modelPath = Path.Combine(directory, FileName);
        Onnx.Proto.ModelProto model;
        using (var data = new ExternalDataFile(modelPath + ".data"))
        {
            var g = new OnnxGraphBuilder("qwen2_5_vl_embedding", data);
            var weights = new CheckpointWeightWriter(checkpoint, g, onBytes, cancellationToken);
            string ids = g.Input(config.Inputs.InputIds, DataType.Int64, "batch_size", "sequence_length");
            string features = g.Input(config.Inputs.ImageFeatures, featureType, "num_image_tokens", hidden);

            string table = weights.AsStored(TableName, text.VocabSize, hidden);
            string tokens = ToFloat(g, g.Gather(table, ids, 0), OnnxElementTypes.Of(checkpoint.Tensor(TableName).DType));

            string isImage = g.Node("Equal", [ids, g.Int64Scalar(checkpoint.Config.ImageTokenId)]);
            string flatIsImage = g.Reshape(isImage, -1);
            string ordinal = g.Sub(g.Node("CumSum", [g.Cast(flatIsImage, DataType.Int64), g.Int64Scalar(0)]), g.Int64Scalar(1));
            // Other positions point at an appended zero row, which also keeps text-only prompts (no features) valid.
            string zeroRowIndex = g.Squeeze(g.ShapeOf(features, 0, 1), 0);
            string padded = g.Concat(0, ToFloat(g, features, featureType), g.Floats("zero_feature_row", new float[hidden], 1, hidden));
            string gathered = g.Gather(padded, g.Node("Where", [flatIsImage, ordinal, zeroRowIndex]), 0);
            string placed = g.Node("Reshape", [gathered, g.Concat(0, g.ShapeOf(ids, 0, 2), g.Int64Vector(hidden))]);
            string embeds = g.Node("Where", [g.Unsqueeze(isImage, 2), placed, tokens]);
            if (outputType != DataType.Float)
            {
                embeds = g.Cast(embeds, outputType);
            }
            g.Output(embeds, config.Outputs.InputsEmbeds, outputType, "batch_size", "sequence_length", hidden);
            model = g.ToModel(metadata);
        }
        using (var stream = File.Create(modelPath))
        {
            model.WriteTo(stream);
        }
        return config;
    }

    private static string ToFloat(OnnxGraphBuilder g, string x, DataType type) => type == DataType.Float ? x : g.Cast(x, DataType.Float);
}
