using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Conversion.Vision;
using Narrator.Model.Onnx;
using Narrator.Model.Conversion.Demo;
using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Conversion;

/// <summary>
/// A vision tower shaped unlike hf-tiny (3 blocks of 48 wide, 4 heads of 12, MLP 80, windows of 2 merged units, full
/// attention in blocks 0 and 2, out 40) with random weights: transformers never saw it, so the C# reference judges.
/// </summary>
public sealed class RandomVisionConfigTests : IDisposable
{
    private static readonly Qwen25VlConfig Shape = new()
    {
        Text = new Qwen25VlTextConfig
        {
            HiddenSize = 40, Layers = 1, AttentionHeads = 2, KeyValueHeads = 1, IntermediateSize = 64, VocabSize = 128, MropeSection = [2, 4, 4],
        },
        Vision = new Qwen25VlVisionConfig
        {
            Depth = 3, HiddenSize = 48, IntermediateSize = 80, Heads = 4, OutHiddenSize = 40, WindowSize = 56, FullAttentionBlocks = [0, 2],
            TokensPerSecond = 4,
        },
    };

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "narrator-random-vision-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_random_checkpoint_reads_back_with_the_settings_it_was_written_with()
    {
        RandomVisionWeights.WriteVisionCheckpoint(_folder, Shape, seed: 3);

        using var checkpoint = HfCheckpoint.Open(_folder);
        var vision = checkpoint.Config.Vision;

        Assert.Equal((3, 48, 80, 4, 12, 40, 2, 4.0), (vision.Depth, vision.HiddenSize, vision.IntermediateSize, vision.Heads, vision.HeadSize,
            vision.OutHiddenSize, vision.WindowUnits, vision.TokensPerSecond));
        Assert.Equal([0, 2], vision.FullAttentionBlocks);
        Assert.Equal([2, 4, 4], checkpoint.Config.Text.MropeSection);
        Assert.Equal(1 + 3 * 12 + 5, checkpoint.TensorNames.Count());
        Assert.All(checkpoint.TensorNames, name => Assert.Equal(SafetensorsDType.BF16, checkpoint.Tensor(name).DType));
    }

    [Fact]
    public void A_differently_shaped_tower_converts_and_matches_the_reference_for_videos_images_and_both_in_one_call()
    {
        RandomVisionWeights.WriteVisionCheckpoint(_folder, Shape, seed: 3);
        using var checkpoint = HfCheckpoint.Open(_folder);
        var config = VisionGraphWriter.Write(checkpoint, Path.Combine(_folder, "package"), VisionPrecision.Fp32, CancellationToken.None);
        using var session = new InferenceSession(Path.Combine(_folder, "package", config.Filename));
        var reference = new VisionTowerReference(checkpoint);

        // 6x10 patches: 3x5 merged units, windows of 2x2 cut at the right and bottom; 4x8: windows divide it exactly,
        // so transformers' padding adds empty windows that must vanish.
        GridThw video = new(3, 6, 10), image = new(1, 4, 8);
        foreach (var grids in new[] { new[] { video }, [image], [video, image] })
        {
            var pixels = VisionGraphWriterTests.RandomPixels(grids.Sum(g => g.PatchCount) * 1176, seed: grids.Length);
            using var runOptions = new RunOptions();
            using var features = VisionEncoder.Encode(session, config, long.MaxValue / 4, pixels, grids, runOptions);
            using var grouped = VisionEncoder.Encode(session, config, memoryBudgetBytes: 1, pixels, grids, runOptions);

            var expected = reference.Forward(pixels, grids);
            VisionGraphWriterTests.AssertClose(expected, features.GetTensorDataAsSpan<float>().ToArray(), 1e-4f, string.Join(" + ", grids));
            Assert.Equal(features.GetTensorDataAsSpan<float>().ToArray(), grouped.GetTensorDataAsSpan<float>().ToArray());
            Assert.True(expected.Select(Math.Abs).Max() > 0.1f, "the random tower's output is not trivially small");
        }
    }
}
