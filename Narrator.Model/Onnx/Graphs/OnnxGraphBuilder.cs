using Google.Protobuf;
using Narrator.Model.Onnx.Proto;

namespace Narrator.Model.Onnx.Graphs;

/// <summary>
/// Builds one ONNX graph node by node: every call returns the name of the value it produced,
/// so graph code reads like the computation it describes. Initializers are kept in the model (raw_data) or, with
/// <c>externalData</c>, written straight to a <c>.onnx.data</c> file as they are added, so a graph of any
/// size is built in bounded memory. <see cref="Subgraph"/> builds the branches of an <see cref="If"/> with the same names
/// and data file, so a branch reads the outer graph's values (weights, inputs) by name and holds no copy of them.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    public const int OpsetVersion = 17;

    /// <summary>Domain of ONNX Runtime's contrib operators (GroupQueryAttention, RotaryEmbedding, MatMulNBits...).</summary>
    public const string MicrosoftDomain = "com.microsoft";

    /// <summary>Producer name of the graphs narrator convert writes.</summary>
    public const string ProducerName = "narrator-convert";

    // IR version 8 is what opset 17 was released with; ORT 1.31 reads it.
    private const long IrVersion = 8;

    private readonly GraphProto _graph;
    private readonly ExternalDataFile? _externalData;
    private readonly ModelScope _scope;

    public OnnxGraphBuilder(string graphName, ExternalDataFile? externalData = null)
        : this(graphName, externalData, new ModelScope())
    {
    }

    private OnnxGraphBuilder(string graphName, ExternalDataFile? externalData, ModelScope scope)
    {
        _graph = new GraphProto { Name = graphName };
        _externalData = externalData;
        _scope = scope;
    }

    /// <summary>
    /// A builder for a subgraph (an If branch) of this model: fresh names never clash with the outer graph's, outer values
    /// are used by name, and its outputs are declared with <see cref="Output"/> under the producing node's own name.
    /// </summary>
    public OnnxGraphBuilder Subgraph(string graphName) => new(graphName, _externalData, _scope);

    /// <summary>The graph built so far (a subgraph's body for <see cref="If"/>).</summary>
    public GraphProto Graph => _graph;

    /// <summary>
    /// ONNX If: runs <paramref name="thenBranch"/> when the bool scalar <paramref name="condition"/> is true, else
    /// <paramref name="elseBranch"/>; both declare as many outputs as <paramref name="outputs"/> names, in that order.
    /// </summary>
    public string[] If(string condition, OnnxGraphBuilder thenBranch, OnnxGraphBuilder elseBranch, params string[] outputs)
    {
        if (thenBranch.Graph.Output.Count != outputs.Length || elseBranch.Graph.Output.Count != outputs.Length)
        {
            throw new InvalidOperationException(
                $"If with {outputs.Length} outputs needs branches with as many; then has {thenBranch.Graph.Output.Count}, else {elseBranch.Graph.Output.Count}.");
        }
        return Node("If", [condition], outputs, Attr("then_branch", thenBranch.Graph), Attr("else_branch", elseBranch.Graph));
    }

    public string Input(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    public void Output(string value, string name, TensorProto.Types.DataType type, params object[] dims)
    {
        if (value != name)
        {
            Node("Identity", [value], [name]);
        }
        _graph.Output.Add(ValueInfo(name, type, dims));
    }

    public string Floats(string name, float[] data, params long[] dims)
    {
        var bytes = new byte[data.Length * sizeof(float)];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        return Initializer(name, TensorProto.Types.DataType.Float, bytes, dims);
    }

    /// <summary>Stored as fp16 to keep the package small; ORT folds the Cast to fp32 once at load.</summary>
    public string HalfFloats(string name, float[] data, params long[] dims) =>
        Cast(HalfInitializer(name, data, dims), TensorProto.Types.DataType.Float);

    public string HalfInitializer(string name, float[] data, params long[] dims)
    {
        var bytes = new byte[data.Length * 2];
        for (int i = 0; i < data.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 2, 2), BitConverter.HalfToUInt16Bits((Half)data[i]));
        }
        return Initializer(name, TensorProto.Types.DataType.Float16, bytes, dims);
    }

    public string Int64s(string name, long[] data, params long[] dims)
    {
        var bytes = new byte[data.Length * sizeof(long)];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        return Initializer(name, TensorProto.Types.DataType.Int64, bytes, dims);
    }

    public string Int32s(string name, int[] data, params long[] dims)
    {
        var bytes = new byte[data.Length * sizeof(int)];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        return Initializer(name, TensorProto.Types.DataType.Int32, bytes, dims);
    }

    /// <summary>A 1-D int64 constant, the usual shape/axes argument.</summary>
    public string Int64Vector(params long[] data) => Int64s(Fresh("const"), data, data.Length);

    public string Int64Scalar(long value) => Int64s(Fresh("const"), [value]);

    public string FloatScalar(float value) => Floats(Fresh("const"), [value]);

    public string Node(string op, string[] inputs, params AttributeProto[] attributes) =>
        Node(op, inputs, [Fresh(op)], attributes)[0];

    public string[] Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes) =>
        AddNode(op, "", inputs, outputs, attributes);

    /// <summary>An ONNX Runtime contrib operator (domain com.microsoft); an empty input name means "not given".</summary>
    public string MicrosoftNode(string op, string[] inputs, params AttributeProto[] attributes) =>
        MicrosoftNode(op, inputs, [Fresh(op)], attributes)[0];

    public string[] MicrosoftNode(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        _scope.UsesMicrosoftDomain = true;
        return AddNode(op, MicrosoftDomain, inputs, outputs, attributes);
    }

    /// <summary>
    /// An initializer of any type from its little-endian bytes; with external data, tensors of at least
    /// <see cref="ExternalDataFile.MinimumBytes"/> go to the data file instead of the model.
    /// </summary>
    public string Initializer(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        if (_externalData is not null && bytes.Length >= ExternalDataFile.MinimumBytes)
        {
            _externalData.Write(tensor, bytes);
        }
        else
        {
            tensor.RawData = ByteString.CopyFrom(bytes);
        }
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>
    /// A large initializer written in pieces by <paramref name="write"/> (exactly <paramref name="byteLength"/> bytes), so a
    /// weight streamed from a checkpoint never has to exist whole in memory; with external data it goes straight to the file.
    /// </summary>
    public string Initializer(string name, TensorProto.Types.DataType type, long[] dims, long byteLength, Action<Stream> write)
    {
        if (_externalData is not null && byteLength >= ExternalDataFile.MinimumBytes)
        {
            var tensor = new TensorProto { Name = name, DataType = (int)type };
            tensor.Dims.AddRange(dims);
            _externalData.Write(tensor, byteLength, write);
            _graph.Initializer.Add(tensor);
            return name;
        }
        using var buffer = new MemoryStream(checked((int)byteLength));
        write(buffer);
        if (buffer.Length != byteLength)
        {
            throw new InvalidOperationException($"Tensor '{name}' was to take {byteLength} bytes but {buffer.Length} were written.");
        }
        return Initializer(name, type, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), dims);
    }

    /// <summary>A fresh name for a value (initializer or node output) with a readable prefix.</summary>
    public string FreshName(string prefix) => Fresh(prefix);

    public string Cast(string x, TensorProto.Types.DataType to) => Node("Cast", [x], Attr("to", (long)to));

    public string MatMul(string a, string b) => Node("MatMul", [a, b]);

    public string Add(string a, string b) => Node("Add", [a, b]);

    public string Sub(string a, string b) => Node("Sub", [a, b]);

    public string Mul(string a, string b) => Node("Mul", [a, b]);

    public string Div(string a, string b) => Node("Div", [a, b]);

    public string Reshape(string x, params long[] shape) => Node("Reshape", [x, Int64Vector(shape)]);

    public string Transpose(string x, params long[] perm) => Node("Transpose", [x], Attr("perm", perm));

    public string Unsqueeze(string x, params long[] axes) => Node("Unsqueeze", [x, Int64Vector(axes)]);

    public string Squeeze(string x, params long[] axes) => Node("Squeeze", [x, Int64Vector(axes)]);

    public string Concat(long axis, params string[] inputs) => Node("Concat", inputs, Attr("axis", axis));

    /// <summary>Dimensions [start, end) of x's shape as a 1-D int64 tensor.</summary>
    public string ShapeOf(string x, long start, long end) => Node("Shape", [x], Attr("start", start), Attr("end", end));

    public string Slice(string x, long start, long end, long axis) =>
        Node("Slice", [x, Int64Vector(start), Int64Vector(end), Int64Vector(axis)]);

    public string Gather(string data, string indices, long axis) => Node("Gather", [data, indices], Attr("axis", axis));

    /// <summary>x / sqrt(mean(x^2) + eps) * weight over the last axis (Qwen2RMSNorm; RMSNormalization is opset 23).</summary>
    public string RmsNorm(string x, string weight, float epsilon)
    {
        string meanSquare = Node("ReduceMean", [Mul(x, x)], Attr("axes", [-1L]), Attr("keepdims", 1L));
        string rms = Node("Sqrt", [Add(meanSquare, FloatScalar(epsilon))]);
        return Mul(Div(x, rms), weight);
    }

    /// <summary>
    /// The model; <paramref name="opsetVersion"/> above 17 is for probes of newer standard operators (the kernels bench's
    /// Attention with nonpad_kv_seqlen and TensorScatter, opset 24), written with IR version 11, which ORT 1.31 loads.
    /// </summary>
    public ModelProto ToModel(IReadOnlyDictionary<string, string> metadata, string producerName = ProducerName, string producerVersion = "1",
        int opsetVersion = OpsetVersion)
    {
        var model = new ModelProto
        {
            IrVersion = opsetVersion > OpsetVersion ? 11 : IrVersion,
            ProducerName = producerName,
            ProducerVersion = producerVersion,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opsetVersion });
        if (_scope.UsesMicrosoftDomain)
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return model;
    }

    public static AttributeProto Attr(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Attr(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Attr(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Attr(string name, TensorProto value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    public static AttributeProto Attr(string name, GraphProto value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = value };

    public static AttributeProto Attr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private string[] AddNode(string op, string domain, string[] inputs, string[] outputs, AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh(op + "_node") };
        if (domain.Length > 0)
        {
            node.Domain = domain;
        }
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return outputs;
    }

    private string Fresh(string prefix) => $"{prefix}_{_scope.Next++}";

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                _ => new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture) },
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    /// <summary>What a model's graph and its subgraphs share: one name counter (names are unique across scopes) and the opsets used.</summary>
    private sealed class ModelScope
    {
        public int Next { get; set; }

        public bool UsesMicrosoftDomain { get; set; }
    }
}
