using Microsoft.ML.OnnxRuntime.Tensors;
using Google.Protobuf;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Proto;
using Narrator.Model.Synthetic;
using Narrator.Model.Tests.Synthetic;

namespace Narrator.Model.Tests.Onnx;

[Collection(TinyModelCollection.Name)]
public class ModelPackageTests(TinyModelFixture tiny)
{
    private static readonly ExecutionProviderOptions Cpu = new() { Provider = ExecutionProviderKind.Cpu };

    [Fact]
    public void Opens_the_tiny_package_and_reads_names_dimensions_and_kv_type_from_it()
    {
        var package = tiny.Package;
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
        string directory = tiny.ScratchDirectory("fp16-kv");
        await new TinyModelWriter(new TinyModelSpec { KvElementType = TensorElementType.Float16 }).WriteAsync(directory, 1);
        using var package = ModelPackage.Open(directory, Cpu);
        Assert.Equal(TensorElementType.Float16, package.KvElementType);
    }

    [Fact]
    public async Task Unsupported_kv_type_names_the_decoder_file_and_the_type()
    {
        string directory = tiny.ScratchDirectory("double-kv");
        await new TinyModelWriter(new TinyModelSpec { KvElementType = TensorElementType.Double }).WriteAsync(directory, 1);
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("decoder.onnx", error.Message);
        Assert.Contains("KV cache type Double is not supported", error.Message);
    }

    [Fact]
    public void Missing_onnx_file_names_the_file_and_the_config_field()
    {
        string directory = tiny.CopyPackage("missing-vision");
        File.Delete(Path.Combine(directory, "vision.onnx"));
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("vision.onnx is missing", error.Message);
        Assert.Contains("model.vision.filename", error.Message);
    }

    [Fact]
    public void Folder_without_genai_config_is_not_a_model_package()
    {
        string directory = tiny.ScratchDirectory("empty");
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("genai_config.json is missing", error.Message);
    }

    [Fact]
    public void Bad_json_names_the_config_file_and_the_line()
    {
        string directory = tiny.CopyPackage("bad-json");
        string path = Path.Combine(directory, "genai_config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"decoder\": {", "\"decoder\": {{"));
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("genai_config.json is not valid genai_config JSON at line", error.Message);
    }

    [Fact]
    public void Renamed_graph_input_names_the_file_the_expected_name_and_what_is_there()
    {
        string directory = tiny.CopyPackage("renamed-input");
        RenameDecoderInput(Path.Combine(directory, "decoder.onnx"), "attention_mask", "attn_mask");
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("decoder.onnx has no input named 'attention_mask'", error.Message);
        Assert.Contains("model.decoder.inputs.attention_mask", error.Message);
        Assert.Contains("attn_mask", error.Message);
    }

    [Fact]
    public void Config_naming_an_output_the_graph_lacks_is_reported()
    {
        string directory = tiny.CopyPackage("renamed-output");
        string path = Path.Combine(directory, "genai_config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"present.%d.key\"", "\"present_key.%d\""));
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("decoder.onnx has no output named 'present_key.0'", error.Message);
    }

    [Fact]
    public void Corrupt_onnx_file_is_reported_as_unloadable_with_its_path()
    {
        string directory = tiny.CopyPackage("corrupt");
        File.WriteAllBytes(Path.Combine(directory, "embedding.onnx"), [1, 2, 3, 4, 5]);
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("embedding.onnx could not be loaded by ONNX Runtime", error.Message);
    }

    [Fact]
    public void Tiny_package_reports_its_precisions_context_and_growing_kv_cache()
    {
        var package = tiny.Package;
        Assert.Equal(new Narrator.Model.Generation.ModelPrecision("fp32", "fp32", "fp32"), package.Precision);
        Assert.Equal(package.Precision, package.EngineInfo.Precision);
        Assert.Equal(32768, package.Context.Tokens);
        Assert.Null(package.Context.AttentionWindow);
        Assert.Equal(32768, package.EngineInfo.ContextTokens);
        // The demo graphs concatenate past and present themselves: the one package allowed to grow its cache.
        Assert.False(package.DecoderGraph.UsesGroupQueryAttention);
        Assert.False(package.SharesKvBuffer);
    }

    [Fact]
    public void Decoder_heading_every_position_is_refused_with_a_sentence()
    {
        string directory = tiny.CopyPackage("every-position");
        EditModel(Path.Combine(directory, "decoder.onnx"), model =>
        {
            var logits = model.Graph.Output.Single(o => o.Name == "logits");
            logits.Type.TensorType.Shape.Dim[1] = new TensorShapeProto.Types.Dimension { DimParam = "sequence_length" };
        });
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("decoder.onnx: logits are [batch_size, sequence_length, 151936]", error.Message);
        Assert.Contains("reads the last position only", error.Message);
    }

    [Fact]
    public void Decoder_without_group_query_attention_is_refused_unless_it_is_the_demo_model()
    {
        string directory = tiny.CopyPackage("not-demo");
        EditModel(Path.Combine(directory, "decoder.onnx"), model => model.ProducerName = "some-exporter");
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("decoder.onnx has no GroupQueryAttention node", error.Message);
        Assert.Contains("narrator convert", error.Message);
    }

    [Fact]
    public void Vision_output_type_that_the_embedding_does_not_take_names_both_ends()
    {
        string directory = tiny.CopyPackage("fp16-features");
        EditModel(Path.Combine(directory, "vision.onnx"), model =>
        {
            var producer = model.Graph.Node.Single(n => n.Output.Contains("image_features"));
            producer.Output[producer.Output.IndexOf("image_features")] = "image_features_fp32";
            var cast = new NodeProto { OpType = "Cast", Name = "to_fp16" };
            cast.Input.Add("image_features_fp32");
            cast.Output.Add("image_features");
            cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float16 });
            model.Graph.Node.Add(cast);
            model.Graph.Output.Single(o => o.Name == "image_features").Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Float16;
        });
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));
        Assert.Contains("vision.onnx returns 'image_features' as fp16 but embedding.onnx takes 'image_features' as fp32", error.Message);
    }

    [Fact]
    public void Context_comes_from_context_length_cut_to_a_sliding_window()
    {
        string directory = tiny.CopyPackage("context");
        string path = Path.Combine(directory, "genai_config.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        json["model"]!["context_length"] = 128000;
        json["model"]!["decoder"]!["sliding_window"] = new System.Text.Json.Nodes.JsonObject { ["window_size"] = 32768 };
        File.WriteAllText(path, json.ToJsonString());
        using var package = ModelPackage.Open(directory, Cpu);
        Assert.Equal((128000, 32768, 32768), (package.Context.ContextLength, package.Context.AttentionWindow, package.Context.Tokens));
        Assert.Equal("32,768 tokens (its attention window; context_length is 128,000)", package.Context.Describe());
    }

    [Fact]
    public void Broken_package_errors_are_user_errors()
    {
        string directory = tiny.ScratchDirectory("user-error");
        Assert.IsAssignableFrom<UserInputException>(Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu)));
    }

    private static void EditModel(string path, Action<ModelProto> edit)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        edit(model);
        using var stream = File.Create(path);
        model.WriteTo(stream);
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
