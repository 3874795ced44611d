using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Conversion.Demo;
using Narrator.Model.Conversion.Verification;
using Narrator.Model.Generation;
using Narrator.Model.Onnx;
using Narrator.Model.Tests.Generation;
using Narrator.Model.Text;
using Xunit.Abstractions;

namespace Narrator.Model.Tests.Conversion;

/// <summary>The converted decoder beyond hf-tiny's sizes, against a plain fp64 implementation, and its KV buffers.</summary>
[Collection(ConvertedHfTinyCollection.Name)]
public sealed class DecoderGraphTests(ConvertedHfTinyFixture hfTiny, ITestOutputHelper output)
{
    /// <summary>Nothing like hf-tiny: 3 layers, 6 query / 2 KV heads of 32, mrope [4,6,6], a tied LM head, a 3-block vision tower of 2x2-unit windows.</summary>
    private static readonly RandomCheckpointSpec OtherShape = new()
    {
        HiddenSize = 192,
        Layers = 3,
        AttentionHeads = 6,
        KeyValueHeads = 2,
        IntermediateSize = 320,
        MropeSection = [4, 6, 6],
        RopeTheta = 10_000,
        TieWordEmbeddings = true,
        VisionDepth = 3,
        VisionHiddenSize = 48,
        VisionHeads = 3,
        VisionIntermediateSize = 96,
        WindowSize = 56,
        FullAttentionBlocks = [2],
    };

    [Fact]
    public void The_fp64_reference_model_agrees_with_transformers_on_hf_tiny()
    {
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        var text = hfTiny.Reference.FullCases.Single(c => c.Name == "text_only");
        var expected = hfTiny.Reference.ReadFloats(text.LastLogitsFile, text.LastLogitsCount);

        var logits = new ReferenceTextModel(checkpoint).LastLogits(text.InputIds, text.PositionIds);

        Assert.InRange(logits.Zip(expected, (a, b) => Math.Abs(a - b)).Max(), 0, 1e-4);
    }

    [Fact]
    public async Task A_differently_shaped_checkpoint_converts_and_its_decoder_matches_the_reference_model_step_by_step()
    {
        string root = hfTiny.ScratchDirectory("other-shape");
        string checkpointFolder = Path.Combine(root, "checkpoint");
        await RandomCheckpointWriter.WriteAsync(checkpointFolder, OtherShape, seed: 11);
        string packageFolder = Path.Combine(root, "package");
        await new CheckpointConverter().ConvertAsync(checkpointFolder, packageFolder, new ConversionOptions());

        using var checkpoint = HfCheckpoint.Open(checkpointFolder);
        Assert.False(checkpoint.Contains("lm_head.weight"));
        var reference = new ReferenceTextModel(checkpoint);
        using var package = ModelPackage.Open(packageFolder, ConvertedHfTinyFixture.Cpu);
        Assert.Equal((3, 6, 2, 32), (package.Config.Model.Decoder.NumHiddenLayers, package.Config.Model.Decoder.NumAttentionHeads,
            package.Config.Model.Decoder.NumKeyValueHeads, package.Config.Model.Decoder.HeadSize));

        // Positions that differ per axis (a visual block's pattern), so every mrope section picks its own axis.
        int[] ids = [151644, 8948, 198, 2610, 525, 264, 10950, 17847, 13, 151645, 198, 151644, 872, 198, 9707, 11, 847, 5562, 374, 18838];
        int s = ids.Length;
        var positions = new long[3 * s];
        for (int i = 0; i < s; i++)
        {
            positions[i] = i;
            positions[s + i] = i + 3 * (i % 4);
            positions[2 * s + i] = 2 * i - (i % 3);
        }
        long ropeDelta = 5;
        using var generator = new ModelSequence(package, ids.Length + 8, prefillChunkSize: 7);
        using var runOptions = new RunOptions();
        generator.Prefill(new GeneratorPrompt { Ids = ids, PositionIds = positions, RopeDelta = ropeDelta }, runOptions);

        var sequence = ids.ToList();
        var sequencePositions = Enumerable.Range(0, 3).Select(axis => positions.Skip(axis * s).Take(s).ToList()).ToArray();
        for (int step = 0; step < 4; step++)
        {
            var expected = reference.LastLogits(sequence, [.. sequencePositions.SelectMany(axis => axis)]);
            var actual = generator.Logits.ToArray();
            double scale = expected.Max(Math.Abs);
            double difference = actual.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
            output.WriteLine($"step {step}: max |logit| {scale:F2}, max |difference| {difference:E2}");
            Assert.InRange(difference, 0, 1e-5 * scale);
            int next = Array.IndexOf(actual, actual.Max());
            sequence.Add(next);
            // Decode steps sit at past + rope delta on all three axes.
            foreach (var axis in sequencePositions)
            {
                axis.Add(sequence.Count - 1 + ropeDelta);
            }
            generator.Append(next, runOptions);
        }
    }

    [Fact]
    public async Task A_differently_shaped_checkpoint_narrates_a_video_at_fp32_and_int4()
    {
        string root = hfTiny.ScratchDirectory("other-shape-run");
        string checkpointFolder = Path.Combine(root, "checkpoint");
        await RandomCheckpointWriter.WriteAsync(checkpointFolder, OtherShape, seed: 12);
        foreach (var precision in new[] { TextPrecision.Fp32, TextPrecision.Int4 })
        {
            string packageFolder = Path.Combine(root, precision.ToString());
            await new CheckpointConverter().ConvertAsync(checkpointFolder, packageFolder, new ConversionOptions { Precision = precision });
            using var engine = NarrationGenerator.Open(packageFolder, ConvertedHfTinyFixture.Cpu);
            var media = SyntheticMedia.Video(frames: 4, width: 168, height: 112);
            var updates = await NarrationGeneratorTests.All(engine.GenerateAsync("Describe this clip.", media, new GenerationOptions { MaxNewTokens = 8 }));
            var stats = updates[^1].Stats!;
            output.WriteLine($"{precision}: {stats.VisualTokens} visual tokens, {stats.GeneratedTokens} tokens, finish {stats.FinishReason}");
            Assert.Equal(media.Grid.VisualTokens, stats.VisualTokens);
            Assert.InRange(stats.GeneratedTokens, 1, 8);
        }
    }
}
