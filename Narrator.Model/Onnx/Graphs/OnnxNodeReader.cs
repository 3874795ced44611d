using Narrator.Model.Onnx.Proto;

namespace Narrator.Model.Onnx.Graphs;

/// <summary>
/// Reads the nodes of an ONNX model file's main graph and nothing else: initializers (which hold the weights of a model
/// without external data) are skipped on disk, so a multi-GB graph is scanned in a few MB. ONNX Runtime's API exposes
/// inputs and outputs only; facts such as an attention node's window live in node attributes.
/// </summary>
internal static class OnnxNodeReader
{
    private const int ModelGraphField = 7;
    private const int GraphNodeField = 1;

    private const int WireVarint = 0;
    private const int Wire64 = 1;
    private const int WireLengthDelimited = 2;
    private const int Wire32 = 5;

    /// <summary>The main graph's nodes in file order; throws <see cref="InvalidDataException"/> when the file is not protobuf.</summary>
    public static IReadOnlyList<NodeProto> ReadNodes(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var nodes = new List<NodeProto>();
        long end = stream.Length;
        while (stream.Position < end)
        {
            var (field, wire) = ReadTag(stream);
            if (field == ModelGraphField && wire == WireLengthDelimited)
            {
                long graphEnd = checked(ReadLength(stream, end) + stream.Position);
                ReadGraphNodes(stream, graphEnd, nodes);
                stream.Position = graphEnd;
            }
            else
            {
                Skip(stream, wire, end);
            }
        }
        return nodes;
    }

    private static void ReadGraphNodes(Stream stream, long end, List<NodeProto> nodes)
    {
        while (stream.Position < end)
        {
            var (field, wire) = ReadTag(stream);
            if (field == GraphNodeField && wire == WireLengthDelimited)
            {
                var bytes = new byte[ReadLength(stream, end)];
                stream.ReadExactly(bytes);
                nodes.Add(NodeProto.Parser.ParseFrom(bytes));
            }
            else
            {
                Skip(stream, wire, end);
            }
        }
    }

    private static (int Field, int Wire) ReadTag(Stream stream)
    {
        ulong tag = ReadVarint(stream);
        int field = (int)(tag >> 3);
        if (field == 0)
        {
            throw new InvalidDataException("not an ONNX model (a protobuf field number is 0)");
        }
        return (field, (int)(tag & 7));
    }

    private static void Skip(Stream stream, int wire, long end)
    {
        long skip = wire switch
        {
            WireVarint => -1,
            Wire64 => 8,
            WireLengthDelimited => ReadLength(stream, end),
            Wire32 => 4,
            _ => throw new InvalidDataException($"not an ONNX model (protobuf wire type {wire})"),
        };
        if (skip < 0)
        {
            ReadVarint(stream);
            return;
        }
        if (stream.Position + skip > end)
        {
            throw new InvalidDataException("not an ONNX model (a field runs past the end of the file)");
        }
        stream.Seek(skip, SeekOrigin.Current);
    }

    private static long ReadLength(Stream stream, long end)
    {
        ulong length = ReadVarint(stream);
        if (length > (ulong)(end - stream.Position))
        {
            throw new InvalidDataException("not an ONNX model (a field runs past the end of the file)");
        }
        return (long)length;
    }

    private static ulong ReadVarint(Stream stream)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            int b = stream.ReadByte();
            if (b < 0)
            {
                throw new InvalidDataException("not an ONNX model (it ends inside a field)");
            }
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new InvalidDataException("not an ONNX model (a varint is longer than 10 bytes)");
    }

    /// <summary>Every node, each followed by the nodes of the subgraphs it holds (If branches), depth first.</summary>
    public static IEnumerable<NodeProto> WithBranches(this IEnumerable<NodeProto> nodes)
    {
        foreach (var node in nodes)
        {
            yield return node;
            foreach (var attribute in node.Attribute)
            {
                var graphs = attribute.G is null ? attribute.Graphs : attribute.Graphs.Prepend(attribute.G);
                foreach (var inner in graphs.SelectMany(graph => graph.Node).WithBranches())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>An integer attribute of <paramref name="node"/>, or <paramref name="fallback"/> when it is not set.</summary>
    public static long IntAttribute(this NodeProto node, string name, long fallback)
    {
        foreach (var attribute in node.Attribute)
        {
            if (attribute.Name == name)
            {
                return attribute.I;
            }
        }
        return fallback;
    }
}
