using System.Text.Json.Nodes;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Onnx;
using Narrator.Model.Synthetic;

namespace Narrator.Model.Tests.Synthetic;

/// <summary>Random checkpoints at real shapes (benchmarks write the big ones; these tests check the layout on small widths).</summary>
public sealed class RandomCheckpointWriterTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("narrator-random-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Seven_b_has_the_published_tensor_names_and_shapes_and_an_untied_lm_head()
    {
        var tensors = RandomCheckpointWriter.Tensors(Qwen25VlShapes.SevenB, seed: 1).ToDictionary(t => t.Name, t => t.Shape);

        Assert.Equal([152064L, 3584], tensors["model.embed_tokens.weight"]);
        Assert.Equal([152064L, 3584], tensors["lm_head.weight"]);
        Assert.Equal([3584L, 3584], tensors["model.layers.27.self_attn.q_proj.weight"]);
        Assert.Equal([512L], tensors["model.layers.0.self_attn.k_proj.bias"]);
        Assert.Equal([18944L, 3584], tensors["model.layers.0.mlp.gate_proj.weight"]);
        Assert.Equal([1280L, 3, 2, 14, 14], tensors["visual.patch_embed.proj.weight"]);
        Assert.Equal([3840L, 1280], tensors["visual.blocks.31.attn.qkv.weight"]);
        Assert.Equal([3584L, 5120], tensors["visual.merger.mlp.2.weight"]);
        Assert.False(tensors.ContainsKey("model.layers.28.input_layernorm.weight"));
        // 28 x 12 per layer + norm + embed + lm_head, 32 x 12 per block + patch embed + 5 merger tensors.
        Assert.Equal(28 * 12 + 3 + 32 * 12 + 1 + 5, tensors.Count);
    }

    [Fact]
    public void Three_b_ties_the_lm_head_to_the_embedding_table_so_it_has_no_lm_head_tensor()
    {
        var tensors = RandomCheckpointWriter.Tensors(Qwen25VlShapes.ThreeB, seed: 1).ToDictionary(t => t.Name, t => t.Shape);

        Assert.True(Qwen25VlShapes.ThreeB.Text.TieWordEmbeddings);
        Assert.False(tensors.ContainsKey("lm_head.weight"));
        Assert.Equal([151936L, 2048], tensors["model.embed_tokens.weight"]);
        Assert.Equal([256L, 2048], tensors["model.layers.35.self_attn.v_proj.weight"]);
        Assert.Equal([11008L, 2048], tensors["model.layers.0.mlp.up_proj.weight"]);
        Assert.Equal([2048L, 5120], tensors["visual.merger.mlp.2.weight"]);
    }

    [Fact]
    public void Reduced_shapes_keep_the_widths_and_a_full_attention_block()
    {
        var reduced = Qwen25VlShapes.Reduced(Qwen25VlShapes.SevenB, layers: 2, visionDepth: 2);

        Assert.Equal((2, 3584, 2, 1280), (reduced.Text.Layers, reduced.Text.HiddenSize, reduced.Vision.Depth, reduced.Vision.HiddenSize));
        Assert.Equal([1], reduced.Vision.FullAttentionBlocks);
        Assert.Equal([7, 15], Qwen25VlShapes.Reduced(Qwen25VlShapes.SevenB, null, 16).Vision.FullAttentionBlocks);
        Assert.Contains("between 1 and 28", Assert.Throws<UserInputException>(() => Qwen25VlShapes.Reduced(Qwen25VlShapes.SevenB, 29, null)).Message);
        Assert.Contains("3b or 7b", Assert.Throws<UserInputException>(() => Qwen25VlShapes.Named("72b")).Message);
    }

    [Fact]
    public async Task A_sharded_checkpoint_reads_back_like_the_hub_and_converts()
    {
        // hf-tiny's widths, tied like the 3B, in shards of at most 4 MB.
        var config = Qwen25VlConfig.Load(Path.Combine(AppContext.BaseDirectory, "TestData", "hf-tiny", "checkpoint", "config.json"));
        config = config with { Text = config.Text with { TieWordEmbeddings = true } };
        string folder = Path.Combine(_root, "checkpoint");

        var written = await new RandomCheckpointWriter().WriteAsync(folder, config, seed: 5, maxShardBytes: 4 << 20);

        Assert.True(written.Shards.Count >= 3, $"{written.Shards.Count} shards");
        Assert.Equal($"model-00001-of-{written.Shards.Count:D5}.safetensors", written.Shards[0]);
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, HfCheckpoint.IndexFileName)))!;
        Assert.Equal(written.TensorBytes, index["metadata"]!["total_size"]!.GetValue<long>());
        Assert.Equal(written.Tensors, index["weight_map"]!.AsObject().Count);
        foreach (var file in new[] { "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "preprocessor_config.json" })
        {
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        }
        using (var checkpoint = HfCheckpoint.Open(folder))
        {
            Assert.Equal(written.Tensors, checkpoint.TensorNames.Count());
            Assert.DoesNotContain("lm_head.weight", checkpoint.TensorNames);
        }

        string package = Path.Combine(_root, "package");
        await new CheckpointConverter().ConvertAsync(folder, package, new ConversionOptions());
        using var opened = ModelPackage.Open(package, new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu });
        Assert.True(opened.SharesKvBuffer);
    }

    [Fact]
    public async Task Same_seed_gives_the_same_bytes_and_a_non_empty_folder_is_refused()
    {
        var config = Qwen25VlConfig.Load(Path.Combine(AppContext.BaseDirectory, "TestData", "hf-tiny", "checkpoint", "config.json"));
        var a = await new RandomCheckpointWriter().WriteAsync(Path.Combine(_root, "a"), config, seed: 9);
        var b = await new RandomCheckpointWriter().WriteAsync(Path.Combine(_root, "b"), config, seed: 9);

        Assert.Equal(File.ReadAllBytes(Path.Combine(a.Directory, a.Shards[0])), File.ReadAllBytes(Path.Combine(b.Directory, b.Shards[0])));
        var error = await Assert.ThrowsAsync<UserInputException>(() => new RandomCheckpointWriter().WriteAsync(a.Directory, config, seed: 9));
        Assert.Contains("not empty", error.Message);
    }
}
