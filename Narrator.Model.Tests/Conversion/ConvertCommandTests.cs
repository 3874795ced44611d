using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Tests.Text;

namespace Narrator.Model.Tests.Conversion;

/// <summary>The `narrator convert`, `verify` and `describe --model` contract, run as the real CLI.</summary>
[Collection(ConvertedHfTinyCollection.Name)]
public sealed class ConvertCommandTests(ConvertedHfTinyFixture hfTiny)
{
    [Fact]
    public async Task Convert_writes_a_package_saying_each_stage_and_the_summary()
    {
        string output = Path.Combine(hfTiny.ScratchDirectory("cli"), "package");

        var result = await NarratorProcess.RunAsync(null, "convert", HfTiny.Checkpoint, output, "--precision", "int4", "--int4-block-size", "64");

        Assert.True(result.ExitCode == 0, result.Stderr);
        // Not a terminal: one line per stage, no carriage-return redraws.
        foreach (string stage in new[] { "checking the checkpoint: done in", "vision graph: done in", "embedding graph: done in", "decoder graph: done in", "package files: done in" })
        {
            Assert.Contains(stage, result.Stderr);
        }
        Assert.DoesNotContain('\r', result.Stderr);
        Assert.Contains($"wrote {output}: int4 (block 64, accuracy level 4, fp32 activations), vision fp32, decode attention grouped, 11 files", result.Stdout);
        Assert.True(File.Exists(Path.Combine(output, "decoder.onnx.data")));
    }

    [Fact]
    public async Task Decode_attention_can_be_chosen_and_grouped_is_refused_for_fp16_activations_in_one_sentence()
    {
        string scratch = hfTiny.ScratchDirectory("cli-decode-attention");
        string gqa = Path.Combine(scratch, "gqa");

        var chosen = await NarratorProcess.RunAsync(null, "convert", HfTiny.Checkpoint, gqa, "--decode-attention", "gqa");
        var refused = await NarratorProcess.RunAsync(null, "convert", HfTiny.Checkpoint, Path.Combine(scratch, "refused"),
            "--precision", "int4", "--int4-activations", "fp16", "--decode-attention", "grouped");

        Assert.True(chosen.ExitCode == 0, chosen.Stderr);
        Assert.Contains($"wrote {gqa}: fp32, vision fp32, decode attention gqa, 11 files", chosen.Stdout);
        Assert.Equal(0, Narrator.Model.Onnx.DecoderGraphFacts.Read(Path.Combine(gqa, "decoder.onnx")).GroupedDecodeStepLayers);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("error: --decode-attention grouped needs fp32 activations", refused.Stderr);
        Assert.False(Directory.Exists(Path.Combine(scratch, "refused")));
    }

    public static TheoryData<string> BrokenCheckpoints() =>
        new(["truncated", "missing tensor", "wrong shape", "unsupported dtype", "wrong model_type", "index naming a missing shard"]);

    [Theory]
    [MemberData(nameof(BrokenCheckpoints))]
    public async Task A_broken_checkpoint_fails_with_one_sentence_naming_the_file_and_the_tensor_and_writes_nothing(string broken)
    {
        string scratch = hfTiny.ScratchDirectory("broken");
        string folder = Path.Combine(scratch, "checkpoint");
        string weights = Path.Combine(folder, HfCheckpoint.SingleFileName);
        var (expected, named) = broken switch
        {
            "truncated" => (HfTinyCopies.Truncated(folder), new[] { weights, "is truncated: tensor '" }),
            "missing tensor" => (HfTinyCopies.Without(folder, "model.layers.1.mlp.up_proj.weight"), [weights, "has no tensor 'model.layers.1.mlp.up_proj.weight'"]),
            "wrong shape" => (HfTinyCopies.Replaced(folder, "model.layers.0.mlp.down_proj.weight", SafetensorsDType.BF16, 64, 64),
                [weights, "tensor 'model.layers.0.mlp.down_proj.weight' has shape [64, 64] but config.json implies [64, 128]"]),
            "unsupported dtype" => (HfTinyCopies.Replaced(folder, "model.layers.0.self_attn.k_proj.bias", SafetensorsDType.Parse("I64"), 32),
                [weights, "tensor 'model.layers.0.self_attn.k_proj.bias' is I64; the converter reads BF16, F16 and F32"]),
            "wrong model_type" => (HfTinyCopies.WithModelType(folder, "qwen2_vl"),
                [Path.Combine(folder, "config.json"), "describes a 'qwen2_vl' model; Narrator converts Qwen2.5-VL checkpoints"]),
            _ => (HfTinyCopies.Sharded(folder, missingShard: true),
                [Path.Combine(folder, HfCheckpoint.IndexFileName), "names shard model-00002-of-00002.safetensors (for tensor '"]),
        };
        Assert.Equal(folder, expected);
        string output = Path.Combine(scratch, "package");

        var result = await NarratorProcess.RunAsync(null, "convert", folder, output);

        Assert.Equal(2, result.ExitCode);
        string error = result.Stderr.Split('\n').Single(l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.All(named, part => Assert.Contains(part, error));
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.False(Directory.Exists(output));
        Assert.DoesNotContain(Directory.GetDirectories(scratch), d => Path.GetFileName(d).StartsWith("package.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_prints_a_line_per_case_and_a_summary_and_exits_0_within_tolerance()
    {
        string package = await hfTiny.PackageAsync(new Model.Conversion.ConversionOptions());

        var result = await NarratorProcess.RunAsync(null, "verify", package, "--reference", HfTiny.Root, "--provider", "cpu");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, lines.Length);
        Assert.Equal(9, lines.Count(l => l.StartsWith("ok   ", StringComparison.Ordinal)));
        Assert.Contains("ok   full/video_spg0.5: positions identical · logits max|Δ| ", result.Stdout);
        Assert.Contains("rp1.05 ids identical (24/24)", result.Stdout);
        Assert.StartsWith("summary: 9/9 cases within tolerance (fp32: features 0.0001, logits 0.0001, identical ids); greedy top-1 agreement 240/240", lines[^1]);
    }

    [Fact]
    public async Task Verify_exits_1_naming_the_case_when_a_reference_disagrees()
    {
        string package = await hfTiny.PackageAsync(new Model.Conversion.ConversionOptions());
        string reference = hfTiny.ScratchDirectory("tampered-reference");
        CopyFolder(HfTiny.Root, reference, skip: "checkpoint");
        string logits = Path.Combine(reference, "full", "image", "last_logits.f32.bin");
        var bytes = File.ReadAllBytes(logits);
        BitConverter.TryWriteBytes(bytes.AsSpan(400, 4), BitConverter.ToSingle(bytes, 400) + 0.01f);
        File.WriteAllBytes(logits, bytes);

        var result = await NarratorProcess.RunAsync(null, "verify", package, "--reference", reference, "--provider", "cpu");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FAIL full/image: positions identical · logits max|Δ| 1.0E-2", result.Stdout);
        Assert.StartsWith("summary: 8/9 cases within tolerance", result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Fact]
    public async Task Verify_of_a_folder_without_cases_is_a_user_error()
    {
        string package = await hfTiny.PackageAsync(new Model.Conversion.ConversionOptions());
        string empty = hfTiny.ScratchDirectory("no-cases");

        var result = await NarratorProcess.RunAsync(null, "verify", package, "--reference", empty);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("holds no reference cases", result.Stderr);
    }

    [Fact]
    public async Task Describe_narrates_a_synthesised_clip_end_to_end_with_a_converted_package()
    {
        string package = await hfTiny.PackageAsync(new Model.Conversion.ConversionOptions());
        string clip = Path.Combine(hfTiny.ScratchDirectory("clip"), "clip.mp4");
        await Segmentation.SceneClip.WriteAsync(clip, [("testsrc", 2)]);

        var result = await NarratorProcess.RunAsync(null, "describe", clip, "--model", package, "--provider", "cpu", "--max-new-tokens", "12");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"model: {Path.GetFileName(package)} ({package}) on CPU", result.Stderr);
        Assert.Contains("visual tokens", result.Stderr);
        Assert.Contains("12 tokens", result.Stderr);
        Assert.False(string.IsNullOrWhiteSpace(result.Stdout));
    }

    [Fact]
    public async Task Tiny_model_writes_the_demo_package_at_the_precision_asked_for()
    {
        string output = Path.Combine(hfTiny.ScratchDirectory("tiny-model"), "demo");

        var result = await NarratorProcess.RunAsync(null, "tiny-model", "--out", output, "--seed", "5", "--precision", "fp16");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"wrote the demo model package (seed 5, fp16) to {output}: 11 files", result.Stdout);
        using var package = Model.Onnx.ModelPackage.Open(output, ConvertedHfTinyFixture.Cpu);
        Assert.True(package.IsDemoModel);
        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float16, package.KvElementType);
    }

    private static void CopyFolder(string from, string to, string skip)
    {
        foreach (string directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            if (!Path.GetRelativePath(from, directory).StartsWith(skip, StringComparison.Ordinal))
            {
                Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
            }
        }
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(from, file);
            if (!relative.StartsWith(skip, StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(to, relative));
            }
        }
    }
}
