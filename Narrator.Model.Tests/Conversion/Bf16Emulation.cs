using System.Buffers.Binary;
using Google.Protobuf;
using Narrator.Model.Onnx.Proto;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Tests.Conversion;

/// <summary>
/// Runs a bf16 graph's numerics on a CPU that has no bf16 kernels: every bf16 value becomes fp32 and is rounded to bf16
/// where the bf16 graph would store it (after each op that produces a bf16 tensor), which is what CUDA's bf16 kernels do
/// with their fp32 accumulators. Initializers are widened exactly and inlined, so the copy stands alone.
/// </summary>
internal static class Bf16Emulation
{
    private static readonly HashSet<string> BooleanOps = ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Not"];

    public static void Rewrite(string modelPath, string outputPath)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        var graph = model.Graph;
        string folder = Path.GetDirectoryName(modelPath)!;
        var types = new Dictionary<string, DataType>();

        foreach (var tensor in graph.Initializer)
        {
            Inline(tensor, folder);
            types[tensor.Name] = (DataType)tensor.DataType;
            if (tensor.DataType == (int)DataType.Bfloat16)
            {
                var bf16 = tensor.RawData.Span;
                var widened = new byte[bf16.Length * 2];
                for (int i = 0; i < bf16.Length / 2; i++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(widened.AsSpan(4 * i), (uint)BinaryPrimitives.ReadUInt16LittleEndian(bf16[(2 * i)..]) << 16);
                }
                tensor.RawData = ByteString.CopyFrom(widened);
                tensor.DataType = (int)DataType.Float;
            }
        }
        foreach (var value in graph.Input.Concat(graph.Output))
        {
            types[value.Name] = (DataType)value.Type.TensorType.ElemType;
            if (value.Type.TensorType.ElemType == (int)DataType.Bfloat16)
            {
                value.Type.TensorType.ElemType = (int)DataType.Float;
            }
        }

        var nodes = graph.Node.ToList();
        graph.Node.Clear();
        foreach (var node in nodes)
        {
            var type = OutputType(node, types);
            graph.Node.Add(node);
            if (node.OpType == "Cast" && type == DataType.Bfloat16)
            {
                node.Attribute.Single(a => a.Name == "to").I = (long)DataType.Float;
            }
            for (int i = 0; i < node.Output.Count; i++)
            {
                string name = node.Output[i];
                if (name.Length == 0)
                {
                    continue;
                }
                types[name] = type;
                if (type == DataType.Bfloat16)
                {
                    // fp32 result → stored as bf16 → read back as fp32.
                    node.Output[i] = name + "__fp32";
                    graph.Node.Add(Cast(name + "__fp32", name + "__bf16", DataType.Bfloat16));
                    graph.Node.Add(Cast(name + "__bf16", name, DataType.Float));
                }
            }
        }
        File.WriteAllBytes(outputPath, model.ToByteArray());
    }

    private static DataType OutputType(NodeProto node, Dictionary<string, DataType> types)
    {
        if (node.OpType == "Cast")
        {
            return (DataType)node.Attribute.Single(a => a.Name == "to").I;
        }
        if (node.OpType == "Shape")
        {
            return DataType.Int64;
        }
        if (BooleanOps.Contains(node.OpType))
        {
            return DataType.Bool;
        }
        if (node.OpType == "Where")
        {
            return types[node.Input[1]];
        }
        return node.Input.Where(i => i.Length > 0 && types.ContainsKey(i)).Select(i => types[i]).First();
    }

    private static NodeProto Cast(string input, string output, DataType to)
    {
        var node = new NodeProto { OpType = "Cast", Name = output + "_cast" };
        node.Input.Add(input);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)to });
        return node;
    }

    private static void Inline(TensorProto tensor, string folder)
    {
        if (tensor.DataLocation != TensorProto.Types.DataLocation.External)
        {
            return;
        }
        string location = tensor.ExternalData.Single(e => e.Key == "location").Value;
        long offset = long.Parse(tensor.ExternalData.Single(e => e.Key == "offset").Value, System.Globalization.CultureInfo.InvariantCulture);
        int length = int.Parse(tensor.ExternalData.Single(e => e.Key == "length").Value, System.Globalization.CultureInfo.InvariantCulture);
        var bytes = new byte[length];
        using (var stream = File.OpenRead(Path.Combine(folder, location)))
        {
            stream.Position = offset;
            stream.ReadExactly(bytes);
        }
        tensor.RawData = ByteString.CopyFrom(bytes);
        tensor.ExternalData.Clear();
        tensor.DataLocation = TensorProto.Types.DataLocation.Default;
    }
}
