using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Onnx.Graphs;
using Narrator.Model.Onnx.Proto;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Tests.Conversion;

public sealed class ExternalDataTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "narrator-external-" + Guid.NewGuid().ToString("N"));

    public ExternalDataTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Large_initializers_go_to_the_data_file_aligned_and_onnx_runtime_reads_them()
    {
        string modelPath = Path.Combine(_folder, "matmul.onnx");
        var weights = Enumerable.Range(0, 64 * 32).Select(i => (float)Math.Sin(i)).ToArray();
        ModelProto model;
        using (var data = new ExternalDataFile(modelPath + ".data"))
        {
            var g = new OnnxGraphBuilder("matmul", data);
            string x = g.Input("x", DataType.Float, "rows", 64);
            string first = g.Floats("first", weights, 64, 32);
            string bias = g.Floats("bias", [0.5f, -0.5f], 2);
            string second = g.Floats("second", weights[..(32 * 2)], 32, 2);
            g.Output(g.Add(g.MatMul(g.MatMul(x, first), second), bias), "y", DataType.Float, "rows", 2);
            model = g.ToModel(new Dictionary<string, string>(), producerName: "test");
        }
        File.WriteAllBytes(modelPath, model.ToByteArray());

        var external = model.Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External).ToList();
        Assert.Equal(["first"], external.Select(t => t.Name));
        Assert.Equal("0", external[0].ExternalData.Single(e => e.Key == "offset").Value);
        Assert.True(model.Graph.Initializer.Single(t => t.Name == "bias").RawData.Length > 0);

        using var session = new InferenceSession(modelPath);
        var input = Enumerable.Range(0, 64).Select(i => i / 64f).ToArray();
        using var x0 = OrtValue.CreateTensorValueFromMemory(input, [1, 64]);
        using var outputs = session.Run(new RunOptions(), ["x"], [x0], ["y"]);
        var y = outputs[0].GetTensorDataAsSpan<float>().ToArray();

        var hidden = new float[32];
        for (int j = 0; j < 32; j++)
        {
            for (int k = 0; k < 64; k++)
            {
                hidden[j] += input[k] * weights[k * 32 + j];
            }
        }
        for (int o = 0; o < 2; o++)
        {
            float expected = o == 0 ? 0.5f : -0.5f;
            for (int j = 0; j < 32; j++)
            {
                expected += hidden[j] * weights[j * 2 + o];
            }
            Assert.Equal(expected, y[o], 3);
        }
    }

    [Fact]
    public void Every_tensor_in_the_data_file_starts_at_a_multiple_of_4096()
    {
        string modelPath = Path.Combine(_folder, "many.onnx");
        ModelProto model;
        using (var data = new ExternalDataFile(modelPath + ".data"))
        {
            var g = new OnnxGraphBuilder("many", data);
            string x = g.Input("x", DataType.Float, 1, 300);
            string y = x;
            for (int i = 0; i < 3; i++)
            {
                y = g.Add(y, g.Floats($"w{i}", Enumerable.Repeat((float)i, 300).ToArray(), 1, 300));
            }
            g.Output(y, "y", DataType.Float, 1, 300);
            model = g.ToModel(new Dictionary<string, string>(), producerName: "test");
        }

        var offsets = model.Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External)
            .Select(t => long.Parse(t.ExternalData.Single(e => e.Key == "offset").Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, offsets.Count);
        Assert.All(offsets, offset => Assert.Equal(0, offset % 4096));
        Assert.Equal(offsets.Count, offsets.Distinct().Count());
    }
}
