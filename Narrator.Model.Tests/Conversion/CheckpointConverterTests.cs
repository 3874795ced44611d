using System.Text.Json.Nodes;
using Narrator.Model.Conversion;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Proto;

namespace Narrator.Model.Tests.Conversion;

/// <summary>What <see cref="CheckpointConverter"/> writes around the graphs, and how it treats the output folder.</summary>
[Collection(ConvertedHfTinyCollection.Name)]
public sealed class CheckpointConverterTests(ConvertedHfTinyFixture hfTiny)
{
    [Fact]
    public async Task Genai_config_takes_sizes_from_config_json_and_eos_and_sampling_from_generation_config()
    {
        string package = await hfTiny.PackageAsync(new ConversionOptions());
        var config = GenAiConfig.Parse(File.ReadAllText(Path.Combine(package, GenAiConfig.FileName)), "genai_config.json");

        Assert.Equal(("qwen2_5_vl", 151936, 32768), (config.Model.Type, config.Model.VocabSize, config.Model.ContextLength));
        // config.json lists only 151645; generation_config.json adds <|endoftext|>.
        Assert.Equal([151645L, 151643L], config.Model.EosTokenId);
        Assert.Equal((151655L, 151656L, 151652L), (config.Model.ImageTokenId, config.Model.VideoTokenId, config.Model.VisionStartTokenId));
        var decoder = config.Model.Decoder;
        Assert.Equal((16, 64, 4, 2, 2), (decoder.HeadSize, decoder.HiddenSize, decoder.NumAttentionHeads, decoder.NumKeyValueHeads, decoder.NumHiddenLayers));
        Assert.Equal(("decoder.onnx", "embedding.onnx", "vision.onnx"), (decoder.Filename, config.Model.Embedding.Filename, config.Model.Vision.Filename));
        Assert.Equal((true, 1.05, 0.1, 1, 0.001), (config.Search.DoSample, config.Search.RepetitionPenalty, config.Search.Temperature, config.Search.TopK, config.Search.TopP));
        Assert.Equal(32768, config.Search.MaxLength);
    }

    [Fact]
    public async Task Tokenizer_preprocessor_and_generation_files_are_copied_unchanged()
    {
        string package = await hfTiny.PackageAsync(new ConversionOptions());
        foreach (string name in new[] { "tokenizer.json", "tokenizer_config.json", "preprocessor_config.json", "generation_config.json" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(HfTiny.Checkpoint, name)), File.ReadAllBytes(Path.Combine(package, name)));
        }
        Assert.False(File.Exists(Path.Combine(package, "model.safetensors")));
    }

    [Fact]
    public async Task Graphs_keep_their_weights_in_aligned_external_data_and_say_their_precision()
    {
        string package = await hfTiny.PackageAsync(new ConversionOptions { Precision = TextPrecision.Int4 });
        var decoder = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(package, "decoder.onnx")));
        var external = decoder.Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External).ToList();
        Assert.Contains(external, t => t.Name == "lm_head.weight.int4");
        Assert.All(external, t => Assert.Equal(0, long.Parse(t.ExternalData.Single(e => e.Key == "offset").Value, System.Globalization.CultureInfo.InvariantCulture) % 4096));
        Assert.Equal("int4", decoder.MetadataProps.Single(p => p.Key == CheckpointConverter.PrecisionKey).Value);
        Assert.Equal("block_size=32 accuracy_level=4 activations=fp32", decoder.MetadataProps.Single(p => p.Key == "narrator.int4").Value);
        Assert.DoesNotContain(decoder.MetadataProps, p => p.Key == CheckpointConverter.DemoModelKey);
        var embedding = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(package, "embedding.onnx")));
        // The bf16 table is kept as stored: widening after the Gather is exact.
        Assert.Equal((int)TensorProto.Types.DataType.Bfloat16, embedding.Graph.Initializer.Single(t => t.Name == "model.embed_tokens.weight").DataType);
    }

    [Fact]
    public async Task A_sharded_checkpoint_converts_to_the_same_package_as_the_single_file()
    {
        string sharded = HfTinyCopies.Sharded(Path.Combine(hfTiny.ScratchDirectory("sharded"), "checkpoint"), missingShard: false);
        string output = Path.Combine(hfTiny.ScratchDirectory("sharded-package"), "package");
        await new CheckpointConverter().ConvertAsync(sharded, output, new ConversionOptions());
        string single = await hfTiny.PackageAsync(new ConversionOptions());
        foreach (string name in new[] { "decoder.onnx.data", "embedding.onnx.data", "vision.onnx.data", "decoder.onnx", "embedding.onnx" })
        {
            Assert.True(File.ReadAllBytes(Path.Combine(single, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(output, name))), $"{name} differs");
        }
    }

    [Fact]
    public async Task A_cancelled_conversion_leaves_neither_a_package_nor_its_staging_folder()
    {
        string parent = hfTiny.ScratchDirectory("cancelled");
        string output = Path.Combine(parent, "package");
        using var cancel = new CancellationTokenSource();
        var progress = new CancelAt(ConversionStage.Decoder, cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new CheckpointConverter().ConvertAsync(HfTiny.Checkpoint, output, new ConversionOptions(), progress, cancel.Token));

        Assert.True(progress.Cancelled);
        Assert.Empty(Directory.GetFileSystemEntries(parent));
    }

    [Fact]
    public async Task A_folder_that_holds_files_is_kept_unless_overwrite_is_asked_for()
    {
        string output = hfTiny.ScratchDirectory("occupied");
        File.WriteAllText(Path.Combine(output, "notes.txt"), "mine");

        var error = await Assert.ThrowsAsync<UserInputException>(() => new CheckpointConverter().ConvertAsync(HfTiny.Checkpoint, output, new ConversionOptions()));
        Assert.Contains("already exists and is not empty: pass --overwrite", error.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(output, "notes.txt")));

        await new CheckpointConverter().ConvertAsync(HfTiny.Checkpoint, output, new ConversionOptions { Overwrite = true });
        Assert.False(File.Exists(Path.Combine(output, "notes.txt")));
        Assert.True(File.Exists(Path.Combine(output, GenAiConfig.FileName)));
    }

    [Fact]
    public async Task The_package_may_not_be_written_into_the_checkpoint_folder()
    {
        string checkpoint = HfTiny.CopyCheckpoint(Path.Combine(hfTiny.ScratchDirectory("inside"), "checkpoint"));
        var error = await Assert.ThrowsAsync<UserInputException>(() =>
            new CheckpointConverter().ConvertAsync(checkpoint, Path.Combine(checkpoint, "onnx"), new ConversionOptions()));
        Assert.Contains("must not be the checkpoint folder", error.Message);
    }

    [Fact]
    public async Task A_checkpoint_without_tokenizer_files_gets_the_bundled_tokenizer_and_a_note()
    {
        string checkpoint = HfTiny.CopyCheckpoint(Path.Combine(hfTiny.ScratchDirectory("no-tokenizer"), "checkpoint"));
        File.Delete(Path.Combine(checkpoint, "tokenizer.json"));
        File.Delete(Path.Combine(checkpoint, "tokenizer_config.json"));
        File.Delete(Path.Combine(checkpoint, "preprocessor_config.json"));
        string output = Path.Combine(Path.GetDirectoryName(checkpoint)!, "package");

        var result = await new CheckpointConverter().ConvertAsync(checkpoint, output, new ConversionOptions());

        Assert.Contains(result.Notes, n => n.Contains("no tokenizer.json: the package holds Narrator's bundled Qwen2.5 tokenizer", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.Contains("no preprocessor_config.json", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(output, "tokenizer.json")));
        var preprocessor = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "preprocessor_config.json")))!;
        Assert.Equal(14, preprocessor["patch_size"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(48, 4, "--int4-block-size 48 is not supported: use 32, 64 or 128.")]
    [InlineData(32, 5, "--int4-accuracy-level 5 is not supported")]
    public async Task Unsupported_int4_settings_are_refused_before_anything_is_written(int blockSize, int accuracyLevel, string message)
    {
        string output = Path.Combine(hfTiny.ScratchDirectory("int4-settings"), "package");
        var options = new ConversionOptions { Precision = TextPrecision.Int4, Int4 = new Int4Options { BlockSize = blockSize, AccuracyLevel = accuracyLevel } };
        var error = await Assert.ThrowsAsync<UserInputException>(() => new CheckpointConverter().ConvertAsync(HfTiny.Checkpoint, output, options));
        Assert.Contains(message, error.Message);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task An_fp16_vision_tower_is_refused_with_the_reason()
    {
        string output = Path.Combine(hfTiny.ScratchDirectory("vision-fp16"), "package");
        var error = await Assert.ThrowsAnyAsync<UserInputException>(() =>
            new CheckpointConverter().ConvertAsync(HfTiny.Checkpoint, output, new ConversionOptions { VisionPrecision = VisionPrecision.Fp16 }));
        Assert.Contains("overflows fp16", error.Message);
        Assert.False(Directory.Exists(output));
    }

    /// <summary>Cancels the conversion when a stage starts, to interrupt it half way.</summary>
    private sealed class CancelAt(ConversionStage stage, CancellationTokenSource cancel) : IConversionProgress
    {
        public bool Cancelled { get; private set; }

        public void OnStageStarted(ConversionStage started, long totalBytes)
        {
            if (started == stage)
            {
                Cancelled = true;
                cancel.Cancel();
            }
        }

        public void OnBytesConverted(ConversionStage stage, long bytes)
        {
        }

        public void OnStageCompleted(ConversionStage stage, TimeSpan elapsed)
        {
        }
    }
}
