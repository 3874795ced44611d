using Narrator.Model.Conversion.Checkpoint;

namespace Narrator.Model.Tests.Conversion;

public sealed class HfCheckpointTests : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "narrator-checkpoint-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    [Fact]
    public void Reads_the_configuration_of_the_tiny_checkpoint_from_config_json()
    {
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        var text = checkpoint.Config.Text;
        var vision = checkpoint.Config.Vision;

        Assert.Equal((64, 2, 4, 2, 16, 128, 151936), (text.HiddenSize, text.Layers, text.AttentionHeads, text.KeyValueHeads, text.HeadSize, text.IntermediateSize, text.VocabSize));
        Assert.Equal([2, 3, 3], text.MropeSection);
        Assert.Equal(1e6, text.RopeTheta);
        Assert.False(text.TieWordEmbeddings);
        Assert.False(text.UseSlidingWindow);
        Assert.Equal(32768, text.SlidingWindow);
        Assert.Equal((4, 32, 2, 16, 64, 64), (vision.Depth, vision.HiddenSize, vision.Heads, vision.HeadSize, vision.IntermediateSize, vision.OutHiddenSize));
        Assert.Equal([1, 3], vision.FullAttentionBlocks);
        Assert.Equal((112, 4, 1176), (vision.WindowSize, vision.WindowUnits, vision.PatchInputSize));
        Assert.Equal(81, checkpoint.TensorNames.Count());
        Assert.NotNull(checkpoint.GenerationConfig);
    }

    [Fact]
    public void Widens_bf16_weights_to_fp32_exactly()
    {
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        var tensor = checkpoint.Tensor("model.layers.0.self_attn.k_proj.bias", 32);
        var raw = checkpoint.Bytes(tensor);

        var values = checkpoint.ReadFloat32("model.layers.0.self_attn.k_proj.bias", 32);

        Assert.Equal(SafetensorsDType.BF16, tensor.DType);
        for (int i = 0; i < values.Length; i++)
        {
            uint expectedBits = (uint)(raw[2 * i] | raw[2 * i + 1] << 8) << 16;
            Assert.Equal(expectedBits, BitConverter.SingleToUInt32Bits(values[i]));
        }
        Assert.Contains(values, v => v != 0f);
    }

    [Fact]
    public void A_released_tensor_no_longer_counts_in_the_resident_set_and_reads_the_same_afterwards()
    {
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        var tensor = checkpoint.Tensor("lm_head.weight", 151936, 64);
        long sum = 0;
        foreach (byte b in checkpoint.Bytes(tensor))
        {
            sum += b;
        }
        double touched = ResidentFileMegabytes();

        checkpoint.Release(tensor);

        double released = ResidentFileMegabytes();
        // 19 MB of mapped bf16 leave this process's resident set (they stay in the page cache, so reading again is cheap).
        Assert.True(touched - released > 15, $"resident file-backed memory went from {touched:F1} to {released:F1} MB");
        long again = 0;
        foreach (byte b in checkpoint.Bytes(tensor))
        {
            again += b;
        }
        Assert.Equal(sum, again);
    }

    private static double ResidentFileMegabytes() =>
        long.Parse(File.ReadLines("/proc/self/status").Single(l => l.StartsWith("RssFile:", StringComparison.Ordinal))["RssFile:".Length..].Trim().Split(' ')[0],
            System.Globalization.CultureInfo.InvariantCulture) / 1024.0;

    [Fact]
    public void Reads_a_large_tensor_in_row_slices_identically_to_a_whole_read()
    {
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        var whole = checkpoint.ReadFloat32("lm_head.weight", 151936, 64);
        var tensor = checkpoint.Tensor("lm_head.weight", 151936, 64);
        var slice = new float[10 * 64];

        checkpoint.ReadRows(tensor, 151900, slice);

        Assert.Equal(whole.AsSpan(151900 * 64, 10 * 64).ToArray(), slice);
    }

    [Fact]
    public void A_sharded_checkpoint_with_an_index_reads_the_same_tensors_as_the_single_file()
    {
        string sharded = HfTinyCopies.Sharded(Path.Combine(_scratch, "sharded"), missingShard: false);
        using var single = HfCheckpoint.Open(HfTiny.Checkpoint);
        using var split = HfCheckpoint.Open(sharded);

        Assert.Equal(single.TensorNames.Order(), split.TensorNames.Order());
        foreach (string name in new[] { "lm_head.weight", "visual.blocks.3.mlp.down_proj.bias", "model.norm.weight" })
        {
            var tensor = single.Tensor(name);
            Assert.Equal(single.ReadFloat32(name, tensor.Shape), split.ReadFloat32(name, tensor.Shape));
        }
    }

    [Fact]
    public void Names_written_by_newer_transformers_are_found_under_the_published_names()
    {
        string folder = Path.Combine(_scratch, "renamed");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(HfTiny.Checkpoint, "config.json"), Path.Combine(folder, "config.json"));
        using (var original = HfCheckpoint.Open(HfTiny.Checkpoint))
        {
            var sources = original.TensorNames.Select(name =>
            {
                var tensor = original.Tensor(name);
                string renamed = name.StartsWith("visual.", StringComparison.Ordinal) ? "model." + name
                    : name.StartsWith("model.", StringComparison.Ordinal) ? "model.language_model." + name["model.".Length..]
                    : name;
                byte[] bytes = original.Bytes(tensor).ToArray();
                return new SafetensorsTensorSource(renamed, tensor.DType, tensor.Shape, s => s.Write(bytes));
            }).ToList();
            SafetensorsWriter.Write(Path.Combine(folder, HfCheckpoint.SingleFileName), sources);
        }

        using var checkpoint = HfCheckpoint.Open(folder);

        Assert.True(checkpoint.Contains("model.layers.1.mlp.up_proj.weight"));
        Assert.True(checkpoint.Contains("visual.merger.ln_q.weight"));
        Assert.True(checkpoint.Contains("lm_head.weight"));
    }

    [Fact]
    public void A_truncated_safetensors_file_is_refused_naming_the_file_and_the_tensor()
    {
        string folder = HfTinyCopies.Truncated(Path.Combine(_scratch, "truncated"));
        string file = Path.Combine(folder, HfCheckpoint.SingleFileName);

        var error = Assert.Throws<CheckpointException>(() => HfCheckpoint.Open(folder));

        Assert.Contains(file, error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("tensor '", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_safetensors_is_refused_with_a_sentence()
    {
        string folder = HfTiny.CopyCheckpoint(Path.Combine(_scratch, "junk"));
        string file = Path.Combine(folder, HfCheckpoint.SingleFileName);
        File.WriteAllText(file, "<html>404 Not Found</html> and then some more text to pass eight bytes");

        var error = Assert.Throws<CheckpointException>(() => HfCheckpoint.Open(folder));

        Assert.Contains(file, error.Message);
        Assert.Contains("not a safetensors file", error.Message);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        string folder = HfTinyCopies.Without(Path.Combine(_scratch, "without"), "model.layers.1.self_attn.q_proj.bias");
        using var checkpoint = HfCheckpoint.Open(folder);

        var error = Assert.Throws<CheckpointException>(() => checkpoint.Tensor("model.layers.1.self_attn.q_proj.bias", 64));

        Assert.Contains("'model.layers.1.self_attn.q_proj.bias'", error.Message);
        Assert.Contains(HfCheckpoint.SingleFileName, error.Message);
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_named_with_both_shapes()
    {
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);

        var error = Assert.Throws<CheckpointException>(() => checkpoint.Tensor("model.norm.weight", 128));

        Assert.Contains("'model.norm.weight'", error.Message);
        Assert.Contains("[64]", error.Message);
        Assert.Contains("[128]", error.Message);
    }

    [Fact]
    public void A_tensor_of_an_unsupported_dtype_is_named_with_the_dtypes_that_are_read()
    {
        string folder = Path.Combine(_scratch, "int");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(HfTiny.Checkpoint, "config.json"), Path.Combine(folder, "config.json"));
        SafetensorsWriter.Write(Path.Combine(folder, HfCheckpoint.SingleFileName),
            [new SafetensorsTensorSource("model.norm.weight", SafetensorsDType.Parse("I64"), [64], s => s.Write(new byte[64 * 8]))]);
        using var checkpoint = HfCheckpoint.Open(folder);

        var error = Assert.Throws<CheckpointException>(() => checkpoint.Tensor("model.norm.weight", 64));

        Assert.Contains("'model.norm.weight' is I64", error.Message);
        Assert.Contains(SafetensorsDType.Readable, error.Message);
    }

    [Fact]
    public void Another_model_type_is_refused_with_a_sentence()
    {
        string folder = HfTinyCopies.WithModelType(Path.Combine(_scratch, "llama"), "llama");

        var error = Assert.Throws<CheckpointException>(() => HfCheckpoint.Open(folder));

        Assert.Contains("'llama'", error.Message);
        Assert.Contains("qwen2_5_vl", error.Message);
    }

    [Fact]
    public void An_index_naming_a_missing_shard_is_refused_naming_the_shard()
    {
        string sharded = HfTinyCopies.Sharded(Path.Combine(_scratch, "missing-shard"), missingShard: true);

        var error = Assert.Throws<CheckpointException>(() => HfCheckpoint.Open(sharded));

        Assert.Contains("model-00002-of-00002.safetensors", error.Message);
        Assert.Contains(HfCheckpoint.IndexFileName, error.Message);
    }

    [Fact]
    public void A_folder_without_weights_says_what_to_download()
    {
        string folder = Path.Combine(_scratch, "empty");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(HfTiny.Checkpoint, "config.json"), Path.Combine(folder, "config.json"));

        var error = Assert.Throws<CheckpointException>(() => HfCheckpoint.Open(folder));

        Assert.Contains(HfCheckpoint.SingleFileName, error.Message);
        Assert.Contains(HfCheckpoint.IndexFileName, error.Message);
    }
}
