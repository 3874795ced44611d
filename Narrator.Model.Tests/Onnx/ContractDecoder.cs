using Google.Protobuf;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Graphs;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Tests.Onnx;

/// <summary>
/// A stand-in decoder with the inputs and outputs genai_config.json names but a trivial body, for the package-contract
/// checks that look at declared types and shapes before anything runs (KV types the generator cannot feed, logits over
/// every position).
/// </summary>
internal static class ContractDecoder
{
    public static void Write(string path, GenAiDecoderConfig names, DataType kvType, bool everyPosition)
    {
        var g = new OnnxGraphBuilder("contract_decoder");
        int hidden = names.HiddenSize;
        string embeds = g.Input(names.Inputs.InputsEmbeds, DataType.Float, "batch_size", "sequence_length", hidden);
        g.Input(names.Inputs.AttentionMask, DataType.Int64, "batch_size", "total_sequence_length");
        g.Input(names.Inputs.PositionIds, DataType.Int64, 3, "batch_size", "sequence_length");
        for (int layer = 0; layer < names.NumHiddenLayers; layer++)
        {
            string past = g.Input(names.PastKeyName(layer), kvType, "batch_size", names.NumKeyValueHeads, "past_sequence_length", names.HeadSize);
            string pastValue = g.Input(names.PastValueName(layer), kvType, "batch_size", names.NumKeyValueHeads, "past_sequence_length", names.HeadSize);
            g.Output(past, names.PresentKeyName(layer), kvType, "batch_size", names.NumKeyValueHeads, "total_sequence_length", names.HeadSize);
            g.Output(pastValue, names.PresentValueName(layer), kvType, "batch_size", names.NumKeyValueHeads, "total_sequence_length", names.HeadSize);
        }
        // Shapes only matter: a mean per position broadcast to the vocabulary ([B,1,V], or [B,S,V] over every position).
        string rows = everyPosition ? embeds : g.Slice(embeds, -1, long.MaxValue, 1);
        string mean = g.Node("ReduceMean", [rows], OnnxGraphBuilder.Attr("axes", [-1L]), OnnxGraphBuilder.Attr("keepdims", 1L));
        string logits = g.Node("Expand", [mean, g.Int64Vector(1, 1, 151936)]);
        g.Output(logits, names.Outputs.Logits, DataType.Float, "batch_size", everyPosition ? "sequence_length" : 1, 151936);
        File.WriteAllBytes(path, g.ToModel(new Dictionary<string, string>()).ToByteArray());
    }
}
