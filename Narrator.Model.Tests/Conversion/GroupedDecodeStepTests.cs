using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Conversion;
using Narrator.Model.Generation;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Graphs;
using Narrator.Model.Onnx.Proto;
using Xunit.Abstractions;

namespace Narrator.Model.Tests.Conversion;

/// <summary>
/// The decode step in grouped-heads form (an If per layer: one token → ScatterND + one product per KV head over the
/// buffer; anything else → GroupQueryAttention): which packages get it, what its branches hold, and that it computes
/// what GroupQueryAttention and transformers compute.
/// </summary>
[Collection(ConvertedHfTinyCollection.Name)]
public sealed class GroupedDecodeStepTests(ConvertedHfTinyFixture hfTiny, ITestOutputHelper output)
{
    private static readonly ConversionOptions GqaOnly = new() { DecodeAttention = DecodeStepAttention.GroupQueryAttention };

    [Fact]
    public async Task Fp32_and_int4_packages_run_a_decode_step_through_an_if_whose_branches_hold_no_weights()
    {
        foreach (var options in new[] { new ConversionOptions(), new ConversionOptions { Precision = TextPrecision.Int4 } })
        {
            Assert.Equal(DecodeStepAttention.GroupedHeads, options.EffectiveDecodeAttention);
            string directory = await hfTiny.PackageAsync(options);
            var decoder = Decoder(directory);
            Assert.Equal("grouped", Metadata(decoder, CheckpointConverter.DecodeAttentionKey));

            var ifs = decoder.Graph.Node.Where(n => n.OpType == "If").ToList();
            Assert.Equal(2, ifs.Count);
            foreach (var node in ifs)
            {
                var then = node.Attribute.Single(a => a.Name == "then_branch").G;
                var otherwise = node.Attribute.Single(a => a.Name == "else_branch").G;
                Assert.Equal(["Reshape", "ScatterND", "Reshape", "ScatterND", "Reshape", "FusedMatMul", "Slice", "Softmax", "Pad", "MatMul", "Reshape"],
                    then.Node.Select(n => n.OpType));
                Assert.Equal(["GroupQueryAttention"], otherwise.Node.Select(n => n.OpType));
                // Outputs: attention, present key, present value; the present ones are ScatterND's and GQA's own outputs
                // (no Identity between), so ONNX Runtime can place them in the buffer bound as present.
                Assert.Equal(3, node.Output.Count);
                Assert.Equal(then.Node.Where(n => n.OpType == "ScatterND").Select(n => n.Output[0]), then.Output.Skip(1).Select(o => o.Name));
                Assert.Equal(otherwise.Node[0].Output.Skip(1), otherwise.Output.Skip(1).Select(o => o.Name));
                // Weights stay in the outer graph, one copy: a branch holds only small int64 shape constants.
                Assert.All(then.Initializer.Concat(otherwise.Initializer), t => Assert.Equal((int)TensorProto.Types.DataType.Int64, t.DataType));
            }
            using var package = ModelPackage.Open(directory, ConvertedHfTinyFixture.Cpu);
            Assert.Equal((2, 2), (package.DecoderGraph.GroupedDecodeStepLayers, package.DecoderGraph.GroupQueryAttentionNodes));
        }
    }

    [Fact]
    public async Task Fp16_activation_packages_for_cuda_keep_exactly_the_group_query_attention_ops_with_no_if()
    {
        // hf-tiny's decoder before the grouped step existed, per op (2 layers; the fp16 graph's extra Casts aside).
        var expected = new Dictionary<string, int>
        {
            ["Add"] = 6, ["Concat"] = 0, ["Cos"] = 1, ["Gather"] = 1, ["GroupQueryAttention"] = 2, ["Identity"] = 1, ["MatMul"] = 15, ["Mul"] = 5,
            ["Range"] = 1, ["ReduceProd"] = 1, ["ReduceSum"] = 1, ["Reshape"] = 3, ["RotaryEmbedding"] = 4, ["Shape"] = 2,
            ["Sigmoid"] = 2, ["SimplifiedLayerNormalization"] = 1, ["Sin"] = 1, ["SkipSimplifiedLayerNormalization"] = 4,
            ["Slice"] = 2, ["Squeeze"] = 1, ["Sub"] = 1, ["Transpose"] = 1,
        };
        var gqaOnlyFp32 = Decoder(await hfTiny.PackageAsync(GqaOnly));
        Assert.Equal("gqa", Metadata(gqaOnlyFp32, CheckpointConverter.DecodeAttentionKey));
        foreach (var options in new[]
        {
            new ConversionOptions { Precision = TextPrecision.Fp16 },
            new ConversionOptions { Precision = TextPrecision.Bf16 },
            new ConversionOptions { Precision = TextPrecision.Int4, Int4 = new Int4Options { Activations = Int4Activations.Fp16 } },
        })
        {
            Assert.Equal(DecodeStepAttention.GroupQueryAttention, options.EffectiveDecodeAttention);
            var decoder = Decoder(await hfTiny.PackageAsync(options));
            Assert.Equal("gqa", Metadata(decoder, CheckpointConverter.DecodeAttentionKey));
            Assert.DoesNotContain(decoder.Graph.Node.WithBranches(), n => n.OpType is "If" or "ScatterND" or "FusedMatMul");
            var ops = decoder.Graph.Node.Where(n => n.OpType != "Cast").Select(n => (n.Domain, n.OpType)).ToList();
            if (options.Precision != TextPrecision.Int4)
            {
                Assert.Equal(gqaOnlyFp32.Graph.Node.Where(n => n.OpType != "Cast").Select(n => (n.Domain, n.OpType)), ops);
                Assert.Equal(expected.Where(e => e.Value > 0).OrderBy(e => e.Key, StringComparer.Ordinal),
                    ops.GroupBy(o => o.OpType).Select(g => KeyValuePair.Create(g.Key, g.Count())).OrderBy(e => e.Key, StringComparer.Ordinal));
            }
            else
            {
                // int4: the 15 projections are MatMulNBits instead of MatMul, nothing else changes.
                Assert.Equal(15, ops.Count(o => o.OpType == "MatMulNBits"));
                Assert.Equal(gqaOnlyFp32.Graph.Node.Where(n => n.OpType != "Cast").Select(n => (n.Domain, n.OpType)),
                    ops.Select(o => o.OpType == "MatMulNBits" ? ("", "MatMul") : o));
            }
        }
    }

    [Fact]
    public async Task Grouped_decode_attention_with_fp16_activations_is_refused_with_a_sentence_before_anything_is_written()
    {
        var options = new ConversionOptions { Precision = TextPrecision.Fp16, DecodeAttention = DecodeStepAttention.GroupedHeads };
        string directory = Path.Combine(hfTiny.ScratchDirectory("refused"), "package");
        var error = await Assert.ThrowsAsync<UserInputException>(() => new CheckpointConverter().ConvertAsync(HfTiny.Checkpoint, directory, options));
        Assert.False(Directory.Exists(directory));
        Assert.StartsWith("--decode-attention grouped needs fp32 activations", error.Message);
    }

    [Fact]
    public async Task Decode_steps_through_the_grouped_branch_give_the_logits_of_the_group_query_attention_graph()
    {
        using var grouped = ModelPackage.Open(await hfTiny.PackageAsync(new ConversionOptions()), ConvertedHfTinyFixture.Cpu);
        using var gqa = ModelPackage.Open(await hfTiny.PackageAsync(GqaOnly), ConvertedHfTinyFixture.Cpu);
        Assert.Equal((2, 0), (grouped.DecoderGraph.GroupedDecodeStepLayers, gqa.DecoderGraph.GroupedDecodeStepLayers));
        var text = hfTiny.Reference.FullCases.Single(c => c.Name == "text_only");
        var prompt = new GeneratorPrompt { Ids = text.InputIds, PositionIds = text.PositionIds, RopeDelta = text.RopeDelta };
        const int steps = 12;
        using var runOptions = new RunOptions();
        using var ours = new ModelSequence(grouped, prompt.Ids.Length + steps);
        using var theirs = new ModelSequence(gqa, prompt.Ids.Length + steps);
        ours.Prefill(prompt, runOptions);
        theirs.Prefill(prompt, runOptions);

        // The prefill runs GroupQueryAttention in both graphs (the If's else branch): the same bits.
        Assert.Equal(theirs.Logits.ToArray(), ours.Logits.ToArray());
        double largest = 0;
        for (int step = 0; step < steps; step++)
        {
            var expected = theirs.Logits.ToArray();
            int token = Array.IndexOf(expected, expected.Max());
            ours.Append(token, runOptions);
            theirs.Append(token, runOptions);
            double difference = MaxDifference(theirs.Logits.ToArray(), ours.Logits.ToArray());
            output.WriteLine($"step {step}: max |Δ logit| {difference:E2}");
            Assert.InRange(difference, 0, 1e-4);
            largest = Math.Max(largest, difference);
        }
        // The branches sum in other orders: bit-identical logits would mean the grouped branch never ran.
        Assert.True(largest > 0, "every decode step gave GroupQueryAttention's exact bits");
        for (int layer = 0; layer < ours.Cache.Layers; layer++)
        {
            Assert.InRange(MaxDifference(theirs.Cache.Read(layer, values: false), ours.Cache.Read(layer, values: false)), 0, 1e-5);
            Assert.InRange(MaxDifference(theirs.Cache.Read(layer, values: true), ours.Cache.Read(layer, values: true)), 0, 1e-5);
        }
    }

    [Fact]
    public async Task A_chunked_prefill_ending_in_a_one_token_chunk_and_its_greedy_run_reproduce_transformers()
    {
        using var package = ModelPackage.Open(await hfTiny.PackageAsync(new ConversionOptions()), ConvertedHfTinyFixture.Cpu);
        Assert.Equal(2, package.DecoderGraph.GroupedDecodeStepLayers);
        var text = hfTiny.Reference.FullCases.Single(c => c.Name == "text_only");
        var run = text.Generations.Single(g => g.Name == "rp1.0");
        var prompt = new GeneratorPrompt { Ids = text.InputIds, PositionIds = text.PositionIds, RopeDelta = text.RopeDelta };
        using var runOptions = new RunOptions();
        // Chunks of S-1 then 1: the prompt's last token goes through the grouped branch.
        using var sequence = new ModelSequence(package, prompt.Ids.Length + run.NewIds.Length, prefillChunkSize: prompt.Ids.Length - 1);
        Assert.Equal(prompt.Ids.Length - 1, sequence.PrefillChunkSize);
        sequence.Prefill(prompt, runOptions);

        var expected = hfTiny.Reference.ReadFloats(text.LastLogitsFile, text.LastLogitsCount);
        Assert.InRange(MaxDifference(expected, sequence.Logits.ToArray()), 0, 1e-4);
        var sampler = new Sampler(new GenerationOptions { Temperature = 0, RepetitionPenalty = run.RepetitionPenalty }, sequence.VocabularySize);
        sampler.Observe(prompt.Ids);
        for (int step = 0; step < run.NewIds.Length; step++)
        {
            Assert.Equal(run.NewIds[step], sampler.Sample(sequence.Logits));
            sampler.Observe(run.NewIds[step]);
            if (step + 1 < run.NewIds.Length)
            {
                sequence.Append(run.NewIds[step], runOptions);
            }
        }
    }

    private static ModelProto Decoder(string package) =>
        ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(package, "decoder.onnx")));

    private static string Metadata(ModelProto model, string key) => model.MetadataProps.Single(p => p.Key == key).Value;

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
}
