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
        using var generator = new Generator(package, prefillChunkSize: 7);
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

    [Fact]
    public async Task Past_and_present_can_share_one_preallocated_buffer_per_layer()
    {
        using var package = ModelPackage.Open(await hfTiny.PackageAsync(new ConversionOptions()), ConvertedHfTinyFixture.Cpu);
        var text = hfTiny.Reference.FullCases.Single(c => c.Name == "text_only");
        var decoder = package.Config.Model.Decoder;
        const int capacity = 64;
        int[] generated = text.Generations.Single(g => g.Name == "rp1.0").NewIds[..6];

        // The growing cache the generator uses today.
        var growing = new List<float[]>();
        using (var generator = new Generator(package, prefillChunkSize: 10))
        using (var runOptions = new RunOptions())
        {
            generator.Prefill(new GeneratorPrompt { Ids = text.InputIds, PositionIds = text.PositionIds, RopeDelta = text.RopeDelta }, runOptions);
            foreach (int id in generated)
            {
                growing.Add(generator.Logits.ToArray());
                generator.Append(id, runOptions);
            }
        }

        // One [1, kv, capacity, head] buffer per key and value, bound as both past and present; the mask says how much is valid.
        var buffers = Enumerable.Range(0, 2 * decoder.NumHiddenLayers)
            .Select(_ => OrtValue.CreateTensorValueFromMemory(new float[decoder.NumKeyValueHeads * capacity * decoder.HeadSize], [1, decoder.NumKeyValueHeads, capacity, decoder.HeadSize]))
            .ToArray();
        using var embedding = new InferenceSession(Path.Combine(package.Directory, "embedding.onnx"));
        using var binding = package.Decoder.CreateIoBinding();
        using var run = new RunOptions();
        var shared = new List<float[]>();
        int length = 0;
        void Step(long[] ids, long[] positions)
        {
            using var idValue = OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]);
            using var noFeatures = OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [0, decoder.HiddenSize]);
            using var embeds = embedding.Run(run, ["input_ids", "image_features"], [idValue, noFeatures], ["inputs_embeds"]);
            length += ids.Length;
            using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, length).ToArray(), [1, length]);
            using var positionValue = OrtValue.CreateTensorValueFromMemory(positions, [3, 1, ids.Length]);
            binding.BindInput(decoder.Inputs.InputsEmbeds, embeds[0]);
            binding.BindInput(decoder.Inputs.AttentionMask, mask);
            binding.BindInput(decoder.Inputs.PositionIds, positionValue);
            binding.BindOutputToDevice(decoder.Outputs.Logits, OrtMemoryInfo.DefaultInstance);
            for (int layer = 0; layer < decoder.NumHiddenLayers; layer++)
            {
                binding.BindInput(decoder.PastKeyName(layer), buffers[2 * layer]);
                binding.BindInput(decoder.PastValueName(layer), buffers[2 * layer + 1]);
                binding.BindOutput(decoder.PresentKeyName(layer), buffers[2 * layer]);
                binding.BindOutput(decoder.PresentValueName(layer), buffers[2 * layer + 1]);
            }
            using var outputs = package.Decoder.RunWithBoundResults(run, binding);
            shared.Add(outputs[0].GetTensorDataAsSpan<float>().ToArray());
            // Present is the shared buffer itself: its shape stays [1, kv, capacity, head].
            Assert.Equal([1L, decoder.NumKeyValueHeads, capacity, decoder.HeadSize], outputs[1].GetTensorTypeAndShape().Shape);
        }
        int s = text.InputIds.Length;
        // The prompt in two chunks, then one token at a time.
        foreach (var (start, count) in new[] { (0, 10), (10, s - 10) })
        {
            var chunkPositions = Enumerable.Range(0, 3).SelectMany(axis => text.PositionIds.Skip(axis * s + start).Take(count)).ToArray();
            Step([.. text.InputIds.Skip(start).Take(count).Select(i => (long)i)], chunkPositions);
        }
        shared.RemoveAt(0);
        for (int step = 0; step + 1 < generated.Length; step++)
        {
            long position = length + text.RopeDelta;
            Step([generated[step]], [position, position, position]);
        }
        foreach (var buffer in buffers)
        {
            buffer.Dispose();
        }

        Assert.Equal(growing.Count, shared.Count);
        for (int step = 0; step < shared.Count; step++)
        {
            double difference = growing[step].Zip(shared[step], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(difference <= 1e-5, $"step {step}: shared-buffer logits differ by {difference}");
        }
    }
}
