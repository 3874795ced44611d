using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Demo;
using Narrator.Model.Generation;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Graphs;
using Narrator.Model.Onnx.Proto;
using Narrator.Model.Tests.Generation;
using Narrator.Model.Text;

namespace Narrator.Model.Tests.Demo;

[Collection(DemoModelCollection.Name)]
public class DemoModelWriterTests(DemoModelFixture demo)
{
    [Fact]
    public void Package_holds_every_file_of_the_genai_layout_with_external_data_and_stays_under_80_MB()
    {
        string[] expected = ["genai_config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "preprocessor_config.json",
            "vision.onnx", "vision.onnx.data", "embedding.onnx", "embedding.onnx.data", "decoder.onnx", "decoder.onnx.data"];
        var files = Directory.GetFiles(demo.Directory).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(expected.Order(), files);
        long total = Directory.GetFiles(demo.Directory).Sum(f => new FileInfo(f).Length);
        Assert.InRange(total, 1, 80L * 1024 * 1024);
        // The checkpoint it was converted from is not left beside the package.
        Assert.DoesNotContain(Directory.GetDirectories(demo.Root), d => Path.GetFileName(d).StartsWith("demo-fp32.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Same_seed_writes_the_same_bytes_and_another_seed_other_weights()
    {
        string again = Path.Combine(demo.ScratchDirectory("same-seed"), "demo");
        string other = Path.Combine(demo.ScratchDirectory("other-seed"), "demo");
        await new DemoModelWriter().WriteAsync(again, DemoModelFixture.Seed);
        await new DemoModelWriter().WriteAsync(other, DemoModelFixture.Seed + 1);

        foreach (var file in Directory.GetFiles(demo.Directory))
        {
            string name = Path.GetFileName(file);
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(again, name))), $"{name} differs for the same seed");
        }
        Assert.False(File.ReadAllBytes(Path.Combine(demo.Directory, "decoder.onnx.data")).AsSpan()
            .SequenceEqual(File.ReadAllBytes(Path.Combine(other, "decoder.onnx.data"))));
    }

    [Fact]
    public void Decoder_is_the_converted_qwen_architecture_heading_the_last_position_with_the_full_vocabulary()
    {
        var config = demo.Package.Config.Model;
        Assert.Equal((2, 4, 2, 16), (config.Decoder.NumHiddenLayers, config.Decoder.NumAttentionHeads, config.Decoder.NumKeyValueHeads, config.Decoder.HeadSize));
        var logits = demo.Package.Decoder.OutputMetadata[config.Decoder.Outputs.Logits];
        Assert.Equal([-1, 1, 151936], logits.Dimensions);
        var decoder = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(demo.Directory, "decoder.onnx")));
        var ops = decoder.Graph.Node.WithBranches().Select(n => n.OpType).ToHashSet();
        Assert.Superset(new HashSet<string> { "GroupQueryAttention", "RotaryEmbedding", "SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization" }, ops);
        Assert.Equal("random weights", decoder.MetadataProps.Single(p => p.Key == CheckpointConverter.DemoModelKey).Value);
    }

    [Fact]
    public async Task Write_if_missing_reuses_a_complete_package_and_marks_it_as_the_demo_model()
    {
        string cache = Path.Combine(demo.ScratchDirectory("cache"), "demo");
        var writer = new DemoModelWriter();
        Assert.True(await writer.WriteIfMissingAsync(cache, 3));
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(cache, "decoder.onnx"));
        Assert.False(await writer.WriteIfMissingAsync(cache, 3));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(cache, "decoder.onnx")));
        using var package = ModelPackage.Open(cache, DemoModelFixture.Cpu);
        Assert.True(package.IsDemoModel);
        Assert.Equal("tiny random-weight demo model", package.Name);
    }

    [Fact]
    public async Task Write_if_missing_replaces_an_incomplete_package()
    {
        string cache = Path.Combine(demo.ScratchDirectory("incomplete"), "demo");
        Assert.True(await new DemoModelWriter().WriteIfMissingAsync(cache, 3));
        File.Delete(Path.Combine(cache, "decoder.onnx"));
        Assert.True(await new DemoModelWriter().WriteIfMissingAsync(cache, 3));
        Assert.True(File.Exists(Path.Combine(cache, "decoder.onnx")));
    }

    [Fact]
    public async Task Random_weights_still_write_decodable_text_never_reaching_control_or_textless_ids()
    {
        using var engine = new NarrationGenerator(demo.Package, QwenTokenizer.Bundled);
        var reachable = new HashSet<int>();
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var options = new GenerationOptions { MaxNewTokens = 60, Temperature = 1.5f, Seed = seed, RepetitionPenalty = 1f };
            var updates = await NarrationGeneratorTests.All(engine.GenerateAsync("Describe this clip.", SyntheticMedia.Video(), options));
            reachable.UnionWith(updates.Where(u => u.Kind == GenerationUpdateKind.Token).Select(u => u.TokenId));
        }
        Assert.True(reachable.Count > 50, $"only {reachable.Count} distinct tokens were sampled");
        Assert.All(reachable, id => Assert.True(id < 151643 || id is 151645 or 151643, $"token {id} is a control or text-less id"));
    }
}
