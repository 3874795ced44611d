using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Proto;
using Narrator.Model.Synthetic;

namespace Narrator.Model.Tests.Synthetic;

[Collection(TinyModelCollection.Name)]
public class TinyModelWriterTests(TinyModelFixture tiny)
{
    [Fact]
    public void Package_holds_every_file_of_the_genai_layout_and_stays_under_30_MB()
    {
        string[] expected = ["genai_config.json", "tokenizer.json", "tokenizer_config.json", "preprocessor_config.json",
            "vision.onnx", "embedding.onnx", "decoder.onnx"];
        var files = Directory.GetFiles(tiny.Directory).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(expected.Order(), files);
        long total = Directory.GetFiles(tiny.Directory).Sum(f => new FileInfo(f).Length);
        Assert.InRange(total, 1, 30L * 1024 * 1024);
    }

    [Fact]
    public async Task Same_seed_writes_the_same_bytes_and_another_seed_other_weights()
    {
        string again = tiny.ScratchDirectory("same-seed");
        string other = tiny.ScratchDirectory("other-seed");
        await new TinyModelWriter().WriteAsync(again, TinyModelFixture.Seed);
        await new TinyModelWriter().WriteAsync(other, TinyModelFixture.Seed + 1);

        foreach (var file in Directory.GetFiles(tiny.Directory))
        {
            string name = Path.GetFileName(file);
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(again, name))), $"{name} differs for the same seed");
        }
        Assert.False(File.ReadAllBytes(Path.Combine(tiny.Directory, "decoder.onnx")).AsSpan()
            .SequenceEqual(File.ReadAllBytes(Path.Combine(other, "decoder.onnx"))));
    }

    [Fact]
    public void Graphs_use_only_standard_onnx_ops_at_opset_17_or_later()
    {
        foreach (var file in new[] { "vision.onnx", "embedding.onnx", "decoder.onnx" })
        {
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(tiny.Directory, file)));
            var opset = Assert.Single(model.OpsetImport);
            Assert.Equal("", opset.Domain);
            Assert.True(opset.Version >= 17);
            Assert.All(model.Graph.Node, node => Assert.Equal("", node.Domain));
        }
    }

    [Fact]
    public void Decoder_is_a_grouped_query_transformer_with_a_full_qwen_vocabulary()
    {
        var config = tiny.Package.Config.Model;
        Assert.True(config.Decoder.NumHiddenLayers >= 2);
        Assert.True(config.Decoder.NumKeyValueHeads < config.Decoder.NumAttentionHeads);
        var logits = tiny.Package.Decoder.OutputMetadata[config.Decoder.Outputs.Logits];
        Assert.Equal(151936, logits.Dimensions[2]);
        // The demo package heads the last position only.
        Assert.Equal(1, logits.Dimensions[1]);
        var decoder = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(tiny.Directory, "decoder.onnx")));
        var ops = decoder.Graph.Node.Select(n => n.OpType).ToHashSet();
        Assert.Superset(new HashSet<string> { "Softmax", "Sin", "Cos", "Sigmoid", "ReduceMean", "Tile", "LessOrEqual", "Where" }, ops);
    }

    [Fact]
    public async Task Write_if_missing_reuses_a_complete_package()
    {
        string cache = Path.Combine(tiny.ScratchDirectory("cache"), "tiny");
        var writer = new TinyModelWriter();
        Assert.True(await writer.WriteIfMissingAsync(cache, 3));
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(cache, "decoder.onnx"));
        Assert.False(await writer.WriteIfMissingAsync(cache, 3));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(cache, "decoder.onnx")));
        using var package = ModelPackage.Open(cache, new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu });
        Assert.True(package.IsDemoModel);
    }
}
