using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Verification;
using Narrator.Model.Generation;
using Narrator.Model.Onnx;
using Narrator.Model.Tests.Conversion;
using Narrator.Model.Text;

namespace Narrator.Model.Tests.Generation;

/// <summary>
/// The KV cache as one preallocated buffer per layer bound as past and present, on the converted hf-tiny decoder: it
/// reproduces transformers, gives the logits of separate past/present tensors, never moves, and refuses to overflow.
/// </summary>
[Collection(ConvertedHfTinyCollection.Name)]
public sealed class SharedKvCacheTests(ConvertedHfTinyFixture hfTiny) : IAsyncLifetime
{
    private ModelPackage Package { get; set; } = null!;

    public async Task InitializeAsync() => Package = ModelPackage.Open(await hfTiny.PackageAsync(new ConversionOptions()), ConvertedHfTinyFixture.Cpu);

    public Task DisposeAsync()
    {
        Package.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void Converted_decoder_shares_its_buffers_and_reproduces_transformers_logits_and_greedy_ids()
    {
        Assert.True(Package.DecoderGraph.UsesGroupQueryAttention);
        Assert.Null(Package.DecoderGraph.LocalWindowSize);
        // Full attention over the 32,768 tokens Qwen2.5-VL is trained on (max_position_embeddings assumes YaRN).
        Assert.Equal((32768, (int?)null), (Package.Context.Tokens, Package.Context.AttentionWindow));
        Assert.True(Package.Config.Search.PastPresentShareBuffer);
        Assert.Equal(Package.Config.Model.Decoder.NumHiddenLayers, Package.DecoderGraph.GroupQueryAttentionNodes);
        // Every teacher-forced greedy step below is a one-token run: it goes through the grouped decode step.
        Assert.Equal(Package.Config.Model.Decoder.NumHiddenLayers, Package.DecoderGraph.GroupedDecodeStepLayers);

        var report = new PackageVerifier(Package, hfTiny.Reference).Run();

        Assert.True(report.Passed, report.Summary);
        var full = report.Cases.Where(c => c.Kind == "full").ToList();
        Assert.Equal(5, full.Count);
        Assert.All(full, c => Assert.True(c.LogitsMaxDifference <= 1e-4, $"{c.Name}: {c.LogitsMaxDifference}"));
        Assert.All(full.SelectMany(c => c.Runs), run => Assert.Equal(-1, run.FirstDifferingStep));
    }

    [Fact]
    public async Task Shared_buffer_gives_the_logits_of_separate_past_and_present_tensors_step_by_step()
    {
        // GroupQueryAttention in both (a past of exactly the tokens so far has no room, so the If takes it even for one
        // token): sharing the buffer changes no bit. The grouped step against GQA: GroupedDecodeStepTests.
        using var gqaOnly = ModelPackage.Open(await hfTiny.PackageAsync(new ConversionOptions { DecodeAttention = DecodeStepAttention.GroupQueryAttention }),
            ConvertedHfTinyFixture.Cpu);
        var prompt = Prompt("Describe a quiet street at dusk.");
        const int steps = 10;
        using var runOptions = new RunOptions();
        using var generator = new ModelSequence(gqaOnly, prompt.Ids.Length + steps, prefillChunkSize: prompt.Ids.Length);
        using var growing = new GrowingDecoder(gqaOnly);
        generator.Prefill(prompt, runOptions);
        var expected = growing.Run(prompt.Ids, prompt.PositionIds);
        for (int step = 0; step < steps; step++)
        {
            Assert.Equal(expected, generator.Logits.ToArray());
            int token = ArgMax(expected);
            long position = prompt.Ids.Length + step + prompt.RopeDelta;
            generator.Append(token, runOptions);
            expected = growing.Run([token], [position, position, position]);
        }
        // Row for row, the buffer's first Length positions are the growing path's present tensors.
        for (int layer = 0; layer < generator.Cache.Layers; layer++)
        {
            Assert.Equal(growing.Keys(layer), generator.Cache.Read(layer, values: false));
            Assert.Equal(growing.Values(layer), generator.Cache.Read(layer, values: true));
        }
    }

    [Fact]
    public void Nothing_is_reallocated_per_token_the_buffers_keep_their_native_addresses()
    {
        var prompt = Prompt("Tell me about the light.");
        const int steps = 24;
        using var runOptions = new RunOptions();
        using var generator = new ModelSequence(Package, prompt.Ids.Length + steps);
        var cache = generator.Cache;
        Assert.Equal(prompt.Ids.Length + steps, cache.Capacity);
        var keys = Enumerable.Range(0, cache.Layers).Select(cache.KeyAddress).ToArray();
        var values = Enumerable.Range(0, cache.Layers).Select(cache.ValueAddress).ToArray();
        var shape = cache.Key(0).GetTensorTypeAndShape().Shape;

        generator.Prefill(prompt, runOptions);
        IntPtr logits = generator.LogitsAddress;
        for (int step = 0; step < steps - 1; step++)
        {
            generator.Append(ArgMax(generator.Logits.ToArray()), runOptions);
            Assert.Equal(keys, Enumerable.Range(0, cache.Layers).Select(cache.KeyAddress));
            Assert.Equal(values, Enumerable.Range(0, cache.Layers).Select(cache.ValueAddress));
            Assert.Equal(logits, generator.LogitsAddress);
        }
        Assert.Equal(shape, cache.Key(0).GetTensorTypeAndShape().Shape);
        Assert.Equal(prompt.Ids.Length + steps - 1, generator.SequenceLength);
    }

    [Fact]
    public void A_token_past_the_capacity_is_refused_with_a_sentence_and_the_cache_is_left_as_it_was()
    {
        var prompt = Prompt("Short.");
        using var runOptions = new RunOptions();
        using var generator = new ModelSequence(Package, prompt.Ids.Length + 2);
        generator.Prefill(prompt, runOptions);
        generator.Append(10, runOptions);
        generator.Append(11, runOptions);

        var error = Assert.Throws<InvalidOperationException>(() => generator.Append(12, runOptions));

        Assert.Contains($"holds {prompt.Ids.Length + 2} tokens and {prompt.Ids.Length + 2} are used; 1 more do not fit", error.Message);
        Assert.Equal(prompt.Ids.Length + 2, generator.SequenceLength);
        var tooLong = Prompt("Short.");
        using var small = new ModelSequence(Package, tooLong.Ids.Length - 1);
        Assert.Throws<InvalidOperationException>(() => small.Prefill(tooLong, runOptions));
        var beyond = Assert.Throws<ArgumentOutOfRangeException>(() => new ModelSequence(Package, Package.Context.Tokens + 1));
        Assert.Contains("per request", beyond.Message);
    }

    [Fact]
    public void Prefill_chunks_shrink_for_a_large_buffer_so_attention_scores_stay_under_the_budget()
    {
        int heads = Package.Config.Model.Decoder.NumAttentionHeads;
        using var large = new ModelSequence(Package, Package.Context.Tokens, prefillChunkSize: 4096);
        using var small = new ModelSequence(Package, 1000, prefillChunkSize: 4096);

        // Scores are [heads, chunk, capacity] fp32 per run once past and present share the buffer.
        Assert.Equal((int)(ModelSequence.PrefillScoreBudgetBytes / (heads * (long)Package.Context.Tokens * sizeof(float))), large.PrefillChunkSize);
        Assert.True((long)heads * large.PrefillChunkSize * large.Capacity * sizeof(float) <= ModelSequence.PrefillScoreBudgetBytes);
        Assert.Equal(4096, small.PrefillChunkSize);
    }

    [Fact]
    public void Chunked_prefill_into_the_shared_buffer_matches_one_pass()
    {
        var prompt = Prompt("What does the camera see when the door opens?");
        Assert.True(prompt.Ids.Length > 3 * 4, "the prompt must span several chunks");
        using var runOptions = new RunOptions();
        using var whole = new ModelSequence(Package, prompt.Ids.Length + 1, prefillChunkSize: prompt.Ids.Length);
        using var chunked = new ModelSequence(Package, prompt.Ids.Length + 1, prefillChunkSize: 4);
        whole.Prefill(prompt, runOptions);
        chunked.Prefill(prompt, runOptions);

        // A last chunk of one token runs the grouped decode step, ~1e-5 from GroupQueryAttention's summation order.
        Assert.InRange(MaxDifference(whole.Logits.ToArray(), chunked.Logits.ToArray()), 0, prompt.Ids.Length % 4 == 1 ? 1e-4 : 1e-5);
        for (int layer = 0; layer < whole.Cache.Layers; layer++)
        {
            Assert.True(MaxDifference(whole.Cache.Read(layer, false), chunked.Cache.Read(layer, false)) <= 1e-5, $"layer {layer} keys");
            Assert.True(MaxDifference(whole.Cache.Read(layer, true), chunked.Cache.Read(layer, true)) <= 1e-5, $"layer {layer} values");
        }
    }

    [Fact]
    public void A_grouped_package_s_cache_starts_zeroed_over_its_whole_capacity()
    {
        // The grouped step multiplies zero softmax weights with the unfilled value rows: NaN left there by a previous
        // request's memory would make the logits NaN. Dirty buffers of the same size first, so their memory is reused.
        const int capacity = 64;
        using (var dirty = KvCache.Create(Package, capacity))
        {
            for (int layer = 0; layer < dirty.Layers; layer++)
            {
                dirty.Key(layer).GetTensorMutableDataAsSpan<float>().Fill(float.NaN);
                dirty.Value(layer).GetTensorMutableDataAsSpan<float>().Fill(float.NaN);
            }
        }
        using var fresh = KvCache.Create(Package, capacity);

        for (int layer = 0; layer < fresh.Layers; layer++)
        {
            Assert.True(fresh.Key(layer).GetTensorDataAsSpan<float>().ToArray().All(v => v == 0f), $"layer {layer} keys");
            Assert.True(fresh.Value(layer).GetTensorDataAsSpan<float>().ToArray().All(v => v == 0f), $"layer {layer} values");
        }
    }

    private GeneratorPrompt Prompt(string text)
    {
        using var engine = new NarrationGenerator(Package, QwenTokenizer.Bundled);
        return engine.BuildPrompt(text, null);
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());

    private static float MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    /// <summary>
    /// The reference the shared buffer replaces: the same decoder run with a past of exactly the tokens so far and a new
    /// present allocated by ONNX Runtime each run, fed back as the next past.
    /// </summary>
    private sealed class GrowingDecoder : IDisposable
    {
        private readonly ModelPackage _package;
        private readonly TokenEmbedder _embedder;
        private readonly float[][] _past;
        private int _length;

        public GrowingDecoder(ModelPackage package)
        {
            _package = package;
            _embedder = new TokenEmbedder(package);
            _past = new float[2 * package.Config.Model.Decoder.NumHiddenLayers][];
            Array.Fill(_past, []);
        }

        public float[] Keys(int layer) => _past[2 * layer];

        public float[] Values(int layer) => _past[2 * layer + 1];

        /// <summary>Runs <paramref name="ids"/> at <paramref name="positions"/> ([3 x S]) and returns the last position's logits.</summary>
        public float[] Run(int[] ids, long[] positions)
        {
            var config = _package.Config.Model.Decoder;
            int count = ids.Length;
            using var runOptions = new RunOptions();
            using var embeds = _embedder.Embed([.. ids.Select(i => (long)i)], null, runOptions);
            using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, _length + count).ToArray(), [1, _length + count]);
            using var positionValue = OrtValue.CreateTensorValueFromMemory(positions, [3, 1, count]);
            var inputs = new Dictionary<string, OrtValue>
            {
                [config.Inputs.InputsEmbeds] = embeds,
                [config.Inputs.AttentionMask] = mask,
                [config.Inputs.PositionIds] = positionValue,
            };
            var pasts = new List<OrtValue>();
            var outputNames = new List<string> { config.Outputs.Logits };
            for (int layer = 0; layer < config.NumHiddenLayers; layer++)
            {
                foreach (var (name, index) in new[] { (config.PastKeyName(layer), 2 * layer), (config.PastValueName(layer), 2 * layer + 1) })
                {
                    var past = OrtValue.CreateTensorValueFromMemory(_past[index], [1, config.NumKeyValueHeads, _length, config.HeadSize]);
                    pasts.Add(past);
                    inputs[name] = past;
                }
                outputNames.Add(config.PresentKeyName(layer));
                outputNames.Add(config.PresentValueName(layer));
            }
            using var outputs = _package.Decoder.Run(runOptions, inputs, outputNames);
            pasts.ForEach(p => p.Dispose());
            _length += count;
            for (int i = 0; i < _past.Length; i++)
            {
                Assert.Equal(_length, outputs[1 + i].GetTensorTypeAndShape().Shape[2]);
                _past[i] = outputs[1 + i].GetTensorDataAsSpan<float>().ToArray();
            }
            Assert.Equal(TensorElementType.Float, outputs[0].GetTensorTypeAndShape().ElementDataType);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }

        public void Dispose() => _embedder.Dispose();
    }
}
