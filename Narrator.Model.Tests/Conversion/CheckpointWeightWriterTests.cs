using System.Runtime.InteropServices;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Onnx.Graphs;
using Narrator.Model.Onnx.Proto;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Tests.Conversion;

/// <summary>Weights streamed in bands small enough to force many of them give what a whole-tensor conversion gives.</summary>
public sealed class CheckpointWeightWriterTests
{
    private const int TinyBand = 1024;

    [Theory]
    [InlineData((int)DataType.Float, "model.layers.0.mlp.down_proj.weight", 64, 128)]
    [InlineData((int)DataType.Float16, "model.layers.0.mlp.down_proj.weight", 64, 128)]
    [InlineData((int)DataType.Bfloat16, "model.layers.0.mlp.down_proj.weight", 64, 128)]
    [InlineData((int)DataType.Float, "model.layers.1.mlp.gate_proj.weight", 128, 64)]
    [InlineData((int)DataType.Float, "visual.merger.mlp.2.weight", 64, 128)]
    public void A_transposition_in_many_bands_and_tiles_is_the_transposed_weight(int onnxType, string name, int outputs, int inputs)
    {
        var type = (DataType)onnxType;
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        var graph = new OnnxGraphBuilder("test");
        long reported = 0;
        var writer = new CheckpointWeightWriter(checkpoint, graph, bytes => reported += bytes, CancellationToken.None, TinyBand);

        writer.Transposed(name, outputs, inputs, type);

        var weight = checkpoint.ReadFloat32(name, outputs, inputs);
        var tensor = Initializer(graph, name + ".T");
        Assert.Equal([(long)inputs, outputs], tensor.Dims);
        Assert.Equal((int)type, tensor.DataType);
        var bytes = tensor.RawData.Span;
        int size = OnnxElementTypes.Size(type);
        for (int i = 0; i < inputs; i++)
        {
            for (int o = 0; o < outputs; o++)
            {
                float expected = OnnxElementTypes.Decode(OnnxElementTypes.Encode(weight[o * inputs + i], type), type);
                Assert.Equal(expected, OnnxElementTypes.Decode(bytes[((i * outputs + o) * size)..], type));
            }
        }
        Assert.Equal(outputs * inputs * 2, reported);
    }

    [Fact]
    public void Int4_weights_quantised_in_many_slices_are_the_rows_quantised_one_by_one()
    {
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        var graph = new OnnxGraphBuilder("test");
        var writer = new CheckpointWeightWriter(checkpoint, graph, _ => { }, CancellationToken.None, TinyBand);

        var (packedName, scalesName) = writer.Int4("model.layers.0.mlp.gate_proj.weight", 128, 64, 32, DataType.Float);

        var weight = checkpoint.ReadFloat32("model.layers.0.mlp.gate_proj.weight", 128, 64);
        var packed = Initializer(graph, packedName);
        var scales = Initializer(graph, scalesName);
        Assert.Equal([128L, 2L, 16L], packed.Dims);
        Assert.Equal([128L, 2L], scales.Dims);
        var actualScales = MemoryMarshal.Cast<byte, float>(scales.RawData.Span);
        for (int row = 0; row < 128; row++)
        {
            var expectedPacked = new byte[32];
            var expectedScales = new float[2];
            Int4BlockQuantizer.QuantizeRow(weight.AsSpan(row * 64, 64), 32, expectedPacked, expectedScales);
            Assert.Equal(expectedPacked, packed.RawData.Span.Slice(row * 32, 32).ToArray());
            Assert.Equal(expectedScales, actualScales.Slice(row * 2, 2).ToArray());
        }
    }

    [Fact]
    public void A_tensor_kept_as_stored_is_copied_byte_for_byte_in_slices()
    {
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        var graph = new OnnxGraphBuilder("test");
        var writer = new CheckpointWeightWriter(checkpoint, graph, _ => { }, CancellationToken.None, TinyBand);

        writer.AsStored("visual.merger.mlp.0.weight", 128, 128);

        var stored = checkpoint.Bytes(checkpoint.Tensor("visual.merger.mlp.0.weight")).ToArray();
        var tensor = Initializer(graph, "visual.merger.mlp.0.weight");
        Assert.Equal((int)DataType.Bfloat16, tensor.DataType);
        Assert.Equal(stored, tensor.RawData.ToByteArray());
    }

    private static TensorProto Initializer(OnnxGraphBuilder graph, string name) =>
        graph.ToModel(new Dictionary<string, string>()).Graph.Initializer.Single(t => t.Name == name);
}
