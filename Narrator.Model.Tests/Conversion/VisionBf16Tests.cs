using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Conversion.Vision;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Proto;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Tests.Conversion;

/// <summary>
/// The bf16 vision graph needs the CUDA provider (the CPU provider has no bf16 Gemm), which this machine lacks. What can
/// be checked here is checked: its weights are bf16, it type-checks in ONNX Runtime, it is the fp32 graph plus casts, and
/// bf16 arithmetic at its rounding points stays within the stated tolerance of transformers' fp32 output.
/// </summary>
public sealed class VisionBf16Tests(HfTinyVisionFixture tiny) : IClassFixture<HfTinyVisionFixture>, IDisposable
{
    /// <summary>Stated bf16 tolerance on hf-tiny's vision outputs (docs/VISION.md): measured at most 0.031 over the four cases (outputs' std 0.65).</summary>
    public const float Bf16Tolerance = 0.05f;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "narrator-vision-bf16-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void Bf16_graph_keeps_weights_in_bf16_takes_and_returns_fp32_and_says_so()
    {
        var config = WriteBf16();
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(_folder, config.Filename)));

        Assert.Equal("bf16", config.Precision);
        var weights = model.Graph.Initializer.Where(t => t.Name.StartsWith("visual.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(weights);
        Assert.All(weights, t => Assert.Equal((int)DataType.Bfloat16, t.DataType));
        Assert.Equal((int)DataType.Float, model.Graph.Input.Single(i => i.Name == "pixel_values").Type.TensorType.ElemType);
        Assert.Equal((int)DataType.Float, model.Graph.Output.Single().Type.TensorType.ElemType);
        Assert.Contains(model.MetadataProps, p => p.Key == "narrator.vision.precision" && p.Value == "bf16");
    }

    [Fact]
    public void Bf16_graph_type_checks_in_onnx_runtime_and_fails_on_the_cpu_only_for_want_of_a_bf16_kernel()
    {
        var config = WriteBf16();

        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(Path.Combine(_folder, config.Filename)));

        Assert.Contains("Could not find an implementation", error.Message);
    }

    [Theory]
    [MemberData(nameof(HfTinyVisionCase.All), MemberType = typeof(HfTinyVisionCase))]
    public void Bf16_graph_with_bf16_widened_to_fp32_computes_what_the_fp32_graph_does(string name)
    {
        var config = WriteBf16();
        string widened = WidenToFp32(Path.Combine(_folder, config.Filename));
        var reference = HfTinyVisionCase.Load(name);
        using var session = new InferenceSession(widened);
        using var runOptions = new RunOptions();

        using var features = VisionEncoder.Encode(session, config, long.MaxValue / 4, reference.PixelValues, reference.Grids, runOptions);

        Assert.Equal(tiny.Encode(reference.PixelValues, reference.Grids), features.GetTensorDataAsSpan<float>().ToArray());
    }

    [Theory]
    [MemberData(nameof(HfTinyVisionCase.All), MemberType = typeof(HfTinyVisionCase))]
    public void Bf16_arithmetic_stays_within_the_stated_tolerance_of_transformers(string name)
    {
        var reference = HfTinyVisionCase.Load(name);
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);

        var bf16 = new VisionTowerReference(checkpoint, bf16: true).Forward(reference.PixelValues, reference.Grids);

        VisionGraphWriterTests.AssertClose(reference.Output, bf16, Bf16Tolerance, name);
    }

    private GenAiVisionConfig WriteBf16()
    {
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        return VisionGraphWriter.Write(checkpoint, _folder, VisionPrecision.Bf16, CancellationToken.None);
    }

    /// <summary>A copy of the model with every bf16 initializer widened (exactly) to fp32 inline and every cast to bf16 made a cast to fp32.</summary>
    private string WidenToFp32(string modelPath)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        byte[] data = File.ReadAllBytes(modelPath + ".data");
        foreach (var tensor in model.Graph.Initializer.Where(t => t.DataType == (int)DataType.Bfloat16))
        {
            byte[] raw = tensor.DataLocation == TensorProto.Types.DataLocation.External
                ? data.AsSpan(int.Parse(tensor.ExternalData.Single(e => e.Key == "offset").Value),
                    int.Parse(tensor.ExternalData.Single(e => e.Key == "length").Value)).ToArray()
                : tensor.RawData.ToByteArray();
            var floats = new float[raw.Length / 2];
            TensorConversion.ToFloat32(raw, SafetensorsDType.BF16, floats);
            var bytes = new byte[floats.Length * 4];
            TensorConversion.ToFloat32Bytes(floats, bytes);
            tensor.DataType = (int)DataType.Float;
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
            tensor.ExternalData.Clear();
            tensor.RawData = ByteString.CopyFrom(bytes);
        }
        foreach (var cast in model.Graph.Node.Where(n => n.OpType == "Cast"))
        {
            var to = cast.Attribute.Single(a => a.Name == "to");
            if (to.I == (long)DataType.Bfloat16)
            {
                to.I = (long)DataType.Float;
            }
        }
        string path = Path.Combine(_folder, "widened.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
