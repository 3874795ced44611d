using Microsoft.ML.OnnxRuntime.Tensors;
using Google.Protobuf;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Proto;
using Narrator.Model.Conversion;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;
using Narrator.Model.Tests.Demo;

namespace Narrator.Model.Tests.Onnx;

[Collection(DemoModelCollection.Name)]
public class ModelPackageTests(DemoModelFixture demo)
{
    private static readonly ExecutionProviderOptions Cpu = new() { Provider = ExecutionProviderKind.Cpu };

    [Fact]
    public void Opens_the_tiny_package_and_reads_names_dimensions_and_kv_type_from_it()
    {
        var package = demo.Package;
        var model = package.Config.Model;
        Assert.Equal("qwen2_5_vl", model.Type);
        Assert.Equal([151645L, 151643L], model.EosTokenId);
        Assert.Equal(151655, model.ImageTokenId);
        Assert.Equal(151656, model.VideoTokenId);
        Assert.Equal(151652, model.VisionStartTokenId);
        Assert.Equal(2, model.Vision.SpatialMergeSize);
        Assert.Equal(2, model.Vision.TokensPerSecond);
        Assert.Equal("past_key_values.1.value", model.Decoder.PastValueName(1));
        Assert.Equal(TensorElementType.Float, package.KvElementType);
        Assert.True(package.IsDemoModel);
        Assert.Equal("CPU", package.EngineInfo.ExecutionProvider);
        Assert.True(package.EngineInfo.IsDemoModel);
    }

    [Fact]
    public async Task Reads_a_float16_kv_cache_type_from_the_decoder_graph()
    {
        using var package = ModelPackage.Open(await demo.DirectoryAt(TextPrecision.Fp16), Cpu);
        Assert.Equal(TensorElementType.Float16, package.KvElementType);
        Assert.True(package.IsDemoModel);
    }

    [Fact]
    public void Unsupported_kv_type_names_the_decoder_file_and_the_type()
    {
        string directory = demo.CopyPackage("double-kv");
        ContractDecoder.Write(Path.Combine(directory, "decoder.onnx"), demo.Package.Config.Model.Decoder, DataType.Double, everyPosition: false);
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("decoder.onnx", error.Message);
        Assert.True(error.Message.Contains("KV cache type Double is not supported"), error.Message);
    }

    [Fact]
    public void Decoder_heading_every_position_is_refused_with_a_pointer_to_the_converter()
    {
        string directory = demo.CopyPackage("every-position");
        ContractDecoder.Write(Path.Combine(directory, "decoder.onnx"), demo.Package.Config.Model.Decoder, DataType.Float, everyPosition: true);
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("decoder.onnx: logits 'logits' are not [batch, 1, vocab] but cover every position", error.Message);
        Assert.Contains("narrator convert", error.Message);
    }

    [Fact]
    public async Task A_bf16_package_on_the_cpu_names_the_missing_kernel_and_the_precisions_that_run_there()
    {
        // ONNX Runtime 1.31's CPU provider has no bf16 MatMul (nor Add, GroupQueryAttention...): the converted bf16 demo cannot open here.
        string directory = await demo.DirectoryAt(TextPrecision.Bf16);
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Matches(@"decoder\.onnx needs an operator the CPU provider cannot run at this package's precision \(\w+\(\d+\)\); a bf16 package runs on CUDA only", error.Message);
        Assert.Contains("--precision fp32, fp16 or int4", error.Message);
    }

    [Fact]
    public void Missing_onnx_file_names_the_file_and_the_config_field()
    {
        string directory = demo.CopyPackage("missing-vision");
        File.Delete(Path.Combine(directory, "vision.onnx"));
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("vision.onnx is missing", error.Message);
        Assert.Contains("model.vision.filename", error.Message);
    }

    [Fact]
    public void Folder_without_genai_config_is_not_a_model_package()
    {
        string directory = demo.ScratchDirectory("empty");
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("genai_config.json is missing", error.Message);
    }

    [Fact]
    public void Bad_json_names_the_config_file_and_the_line()
    {
        string directory = demo.CopyPackage("bad-json");
        string path = Path.Combine(directory, "genai_config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"decoder\": {", "\"decoder\": {{"));
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("genai_config.json is not valid genai_config JSON at line", error.Message);
    }

    [Fact]
    public void Renamed_graph_input_names_the_file_the_expected_name_and_what_is_there()
    {
        string directory = demo.CopyPackage("renamed-input");
        RenameDecoderInput(Path.Combine(directory, "decoder.onnx"), "attention_mask", "attn_mask");
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("decoder.onnx has no input named 'attention_mask'", error.Message);
        Assert.Contains("model.decoder.inputs.attention_mask", error.Message);
        Assert.Contains("attn_mask", error.Message);
    }

    [Fact]
    public void Config_naming_an_output_the_graph_lacks_is_reported()
    {
        string directory = demo.CopyPackage("renamed-output");
        string path = Path.Combine(directory, "genai_config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"present.%d.key\"", "\"present_key.%d\""));
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("decoder.onnx has no output named 'present_key.0'", error.Message);
    }

    [Fact]
    public void Corrupt_onnx_file_is_reported_as_unloadable_with_its_path()
    {
        string directory = demo.CopyPackage("corrupt");
        File.WriteAllBytes(Path.Combine(directory, "embedding.onnx"), [1, 2, 3, 4, 5]);
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("embedding.onnx could not be loaded by ONNX Runtime", error.Message);
    }

    [Fact]
    public void Broken_package_errors_are_user_errors()
    {
        string directory = demo.ScratchDirectory("user-error");
        Assert.IsAssignableFrom<UserInputException>(Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu)));
    }

    private static void RenameDecoderInput(string path, string from, string to)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        foreach (var input in model.Graph.Input.Where(i => i.Name == from))
        {
            input.Name = to;
        }
        foreach (var node in model.Graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }
        }
        using var stream = File.Create(path);
        model.WriteTo(stream);
    }
}
