using System.Text.Json.Nodes;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Conversion.Demo;
using Narrator.Model.Onnx;

namespace Narrator.Model.Tests.Demo;

/// <summary>Random checkpoints at Qwen2.5-VL-3B/7B shapes (the benchmarks write the big ones; these check names, shapes and shards).</summary>
public sealed class RandomCheckpointShapesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("narrator-random-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Seven_b_has_the_published_tensor_names_and_shapes_and_an_untied_lm_head()
    {
        var tensors = RandomCheckpointWriter.Tensors(RandomCheckpointSpec.SevenB, seed: 1).ToDictionary(t => t.Name, t => t.Shape);

        Assert.Equal([152064L, 3584], tensors["model.embed_tokens.weight"]);
        Assert.Equal([152064L, 3584], tensors["lm_head.weight"]);
        Assert.Equal([3584L, 3584], tensors["model.layers.27.self_attn.q_proj.weight"]);
        Assert.Equal([512L], tensors["model.layers.0.self_attn.k_proj.bias"]);
        Assert.Equal([18944L, 3584], tensors["model.layers.0.mlp.gate_proj.weight"]);
        Assert.Equal([1280L, 3, 2, 14, 14], tensors["visual.patch_embed.proj.weight"]);
        Assert.Equal([3840L, 1280], tensors["visual.blocks.31.attn.qkv.weight"]);
        Assert.Equal([3420L, 1280], tensors["visual.blocks.0.mlp.up_proj.weight"]);
        Assert.Equal([3584L, 5120], tensors["visual.merger.mlp.2.weight"]);
        Assert.False(tensors.ContainsKey("model.layers.28.input_layernorm.weight"));
        // 28 x 12 per layer + norm + embedding + LM head; 32 x 12 per block + patch embedding + 5 merger tensors.
        Assert.Equal(28 * 12 + 3 + 32 * 12 + 1 + 5, tensors.Count);
        // 8.29 billion parameters, as the Hub lists Qwen2.5-VL-7B-Instruct.
        Assert.InRange(tensors.Values.Sum(shape => shape.Aggregate(1L, (a, b) => a * b)), 8_290_000_000L, 8_300_000_000L);
    }

    [Fact]
    public void Three_b_ties_the_lm_head_to_the_embedding_table_so_it_has_no_lm_head_tensor()
    {
        var tensors = RandomCheckpointWriter.Tensors(RandomCheckpointSpec.ThreeB, seed: 1).ToDictionary(t => t.Name, t => t.Shape);

        Assert.True(RandomCheckpointSpec.ThreeB.TieWordEmbeddings);
        Assert.False(tensors.ContainsKey("lm_head.weight"));
        Assert.Equal([151936L, 2048], tensors["model.embed_tokens.weight"]);
        Assert.Equal([256L, 2048], tensors["model.layers.35.self_attn.v_proj.weight"]);
        Assert.Equal([11008L, 2048], tensors["model.layers.0.mlp.up_proj.weight"]);
        Assert.Equal([2048L, 5120], tensors["visual.merger.mlp.2.weight"]);
        // 3.75 billion parameters, as the Hub lists Qwen2.5-VL-3B-Instruct.
        Assert.InRange(tensors.Values.Sum(shape => shape.Aggregate(1L, (a, b) => a * b)), 3_750_000_000L, 3_760_000_000L);
    }

    [Fact]
    public void Reduced_shapes_keep_the_widths_and_a_full_attention_block()
    {
        var reduced = RandomCheckpointSpec.SevenB.Reduced(layers: 2, visionDepth: 2);

        Assert.Equal((2, 3584, 2, 1280), (reduced.Layers, reduced.HiddenSize, reduced.VisionDepth, reduced.VisionHiddenSize));
        Assert.Equal([1], reduced.FullAttentionBlocks);
        Assert.Equal([7, 15], RandomCheckpointSpec.SevenB.Reduced(null, 16).FullAttentionBlocks);
        Assert.Contains("between 1 and 28", Assert.Throws<UserInputException>(() => RandomCheckpointSpec.SevenB.Reduced(29, null)).Message);
        Assert.Contains("3b or 7b", Assert.Throws<UserInputException>(() => RandomCheckpointSpec.Named("72b")).Message);
    }

    [Fact]
    public async Task A_sharded_checkpoint_has_a_hub_index_reads_back_and_converts()
    {
        // hf-tiny's sizes, tied like the 3B, in shards of at most 256 KiB (the 19 MB embedding table gets a shard of its own).
        var spec = new RandomCheckpointSpec { TieWordEmbeddings = true };
        string folder = Path.Combine(_root, "checkpoint");
        var shards = new List<(string File, long Bytes)>();

        await RandomCheckpointWriter.WriteAsync(folder, spec, seed: 5, maxShardBytes: 256 << 10, onShard: (file, bytes) => shards.Add((file, bytes)));

        Assert.True(shards.Count >= 3, $"{shards.Count} shards");
        Assert.Equal($"model-00001-of-{shards.Count:D5}.safetensors", shards[0].File);
        Assert.False(File.Exists(Path.Combine(folder, HfCheckpoint.SingleFileName)));
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, HfCheckpoint.IndexFileName)))!;
        Assert.Equal(shards.Sum(s => s.Bytes), index["metadata"]!["total_size"]!.GetValue<long>());
        using (var checkpoint = HfCheckpoint.Open(folder))
        {
            Assert.Equal(RandomCheckpointWriter.Tensors(spec, 5).Count, checkpoint.TensorNames.Count());
            Assert.DoesNotContain("lm_head.weight", checkpoint.TensorNames);
        }

        string package = Path.Combine(_root, "package");
        await new CheckpointConverter().ConvertAsync(folder, package, new ConversionOptions());
        using var opened = ModelPackage.Open(package, new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu });
        Assert.True(opened.DecoderGraph.UsesGroupQueryAttention);
    }
}
