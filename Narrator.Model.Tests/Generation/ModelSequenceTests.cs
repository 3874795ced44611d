using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Generation;
using Narrator.Model.Positions;
using Narrator.Model.Conversion.Demo;
using Narrator.Model.Tests.Demo;
using Narrator.Model.Text;

namespace Narrator.Model.Tests.Generation;

[Collection(DemoModelCollection.Name)]
public class ModelSequenceTests(DemoModelFixture demo)
{
    private const float Tolerance = 1e-4f;

    private NarrationGenerator Engine() => new(demo.Package, QwenTokenizer.Bundled);

    [Fact]
    public void Every_incremental_step_matches_one_full_forward_pass_over_a_video_prompt()
    {
        var prompt = Engine().BuildPrompt("Describe this clip.", SyntheticMedia.Video());
        Assert.Contains((int)demo.Package.Config.Model.VideoTokenId, prompt.Ids);
        const int steps = 12;
        var incremental = Greedy(prompt, steps, chunk: ModelSequence.DefaultPrefillChunkSize);

        // The whole sequence (prompt + all tokens but the last) in one decoder run, positions continuing with the rope delta.
        int length = prompt.Ids.Length;
        int total = length + steps - 1;
        var positions = new long[3 * total];
        var decode = new long[3 * (steps - 1)];
        RopeIndex.DecodePositions(length, prompt.RopeDelta, steps - 1, decode);
        for (int axis = 0; axis < 3; axis++)
        {
            Array.Copy(prompt.PositionIds, axis * length, positions, axis * total, length);
            Array.Copy(decode, axis * (steps - 1), positions, axis * total + length, steps - 1);
        }
        var full = prompt with { Ids = [.. prompt.Ids, .. incremental.Tokens[..^1]], PositionIds = positions };
        var onePass = Greedy(full, 1, chunk: total, recordPrefillLogits: true);

        // The decoder heads the last position only: one pass reports the end of its single run, the last incremental step.
        Assert.Equal([total - 1], onePass.PrefillLogits.Keys);
        var fullLogits = onePass.PrefillLogits[total - 1];
        Assert.True(MaxDifference(incremental.Logits[steps - 1], fullLogits) <= Tolerance,
            $"incremental and full-pass logits differ by {MaxDifference(incremental.Logits[steps - 1], fullLogits)}");
        // The cache holds every position's keys and values, so it pins down the earlier positions too.
        AssertSameCache(incremental.Cache, onePass.Cache);
    }

    [Fact]
    public void Chunked_prefill_gives_the_same_logits_cache_and_tokens_as_one_pass()
    {
        var prompt = Engine().BuildPrompt("What happens?", SyntheticMedia.Video());
        Assert.True(prompt.Ids.Length > 3 * 7, "the prompt must span several chunks");
        var one = Greedy(prompt, 6, chunk: prompt.Ids.Length);
        var chunked = Greedy(prompt, 6, chunk: 7, recordPrefillLogits: true);
        Assert.Equal(one.Tokens, chunked.Tokens);
        for (int step = 0; step < one.Logits.Length; step++)
        {
            Assert.True(MaxDifference(one.Logits[step], chunked.Logits[step]) <= Tolerance, $"step {step} differs");
        }
        AssertSameCache(one.Cache, chunked.Cache);

        // Each chunk's reported logits match the same positions prefilled one token at a time (every position is a chunk end there).
        var tokenByToken = Greedy(prompt, 1, chunk: 1, recordPrefillLogits: true);
        Assert.Equal(Enumerable.Range(0, prompt.Ids.Length), tokenByToken.PrefillLogits.Keys.Order());
        Assert.Equal((prompt.Ids.Length + 6) / 7, chunked.PrefillLogits.Count);
        foreach (var (position, logits) in chunked.PrefillLogits)
        {
            Assert.True(MaxDifference(tokenByToken.PrefillLogits[position], logits) <= Tolerance, $"position {position} differs");
        }
    }

    [Fact]
    public void Changing_one_frame_changes_the_output_distribution()
    {
        var engine = Engine();
        var original = engine.BuildPrompt("Describe this clip.", SyntheticMedia.Video(frames: 4));
        // Frame 3 only (the second frame of the second temporal patch group) becomes black.
        var edited = engine.BuildPrompt("Describe this clip.", SyntheticMedia.Video(frames: 4, editFrames: (rgb, frameBytes) =>
            Array.Clear(rgb, 3 * frameBytes, frameBytes)));
        Assert.Equal(original.Ids, edited.Ids);
        var a = Softmax(Greedy(original, 1, ModelSequence.DefaultPrefillChunkSize).Logits[0]);
        var b = Softmax(Greedy(edited, 1, ModelSequence.DefaultPrefillChunkSize).Logits[0]);
        Assert.True(TotalVariation(a, b) > 0.01, $"distributions differ by only {TotalVariation(a, b)}");
    }

    [Fact]
    public void Changing_the_position_ids_changes_the_logits()
    {
        var prompt = Engine().BuildPrompt("Describe this clip.", SyntheticMedia.Video());
        var moved = (long[])prompt.PositionIds.Clone();
        int length = prompt.Ids.Length;
        int firstVisual = Array.IndexOf(prompt.Ids, (int)demo.Package.Config.Model.VideoTokenId);
        // Mirror the width axis of the visual block only: same ids, same frames, different layout.
        var widths = moved.AsSpan(2 * length + firstVisual, SyntheticMedia.Video().Grid.VisualTokens);
        long low = long.MaxValue, high = long.MinValue;
        foreach (long w in widths)
        {
            low = Math.Min(low, w);
            high = Math.Max(high, w);
        }
        for (int i = 0; i < widths.Length; i++)
        {
            widths[i] = low + high - widths[i];
        }
        var a = Greedy(prompt, 1, ModelSequence.DefaultPrefillChunkSize).Logits[0];
        var b = Greedy(prompt with { PositionIds = moved }, 1, ModelSequence.DefaultPrefillChunkSize).Logits[0];
        Assert.True(MaxDifference(a, b) > 1e-2, $"logits moved by only {MaxDifference(a, b)}");
    }

    [Fact]
    public void Text_only_prompts_generate_without_vision_input()
    {
        var prompt = Engine().BuildPrompt("Say something.", null);
        var run = Greedy(prompt, 3, ModelSequence.DefaultPrefillChunkSize);
        Assert.Equal(3, run.Tokens.Length);
        Assert.All(run.Logits, l => Assert.True(l.All(float.IsFinite)));
    }

    [Fact]
    public void Visual_pad_count_that_does_not_match_the_features_is_refused()
    {
        var prompt = Engine().BuildPrompt("Describe this clip.", SyntheticMedia.Video());
        var smaller = SyntheticMedia.Video(width: 56, height: 56);
        using var generator = new ModelSequence(demo.Package, prompt.Ids.Length + 1);
        using var runOptions = new RunOptions();
        var error = Assert.Throws<InvalidOperationException>(() =>
            generator.Prefill(prompt with { PixelValues = smaller.PixelValues, Grid = smaller.Grid }, runOptions));
        Assert.Contains("visual pad tokens", error.Message);
    }

    /// <summary>Greedy decoding of <paramref name="steps"/> tokens: each step's logits, the prefill's reported logits by position, the final cache.</summary>
    private sealed record GreedyRun(int[] Tokens, float[][] Logits, Dictionary<int, float[]> PrefillLogits, float[][] Cache);

    private GreedyRun Greedy(GeneratorPrompt prompt, int steps, int chunk, bool recordPrefillLogits = false)
    {
        using var generator = new ModelSequence(demo.Package, prompt.Ids.Length + steps, chunk);
        using var runOptions = new RunOptions();
        var prefillLogits = new Dictionary<int, float[]>();
        generator.Prefill(prompt, runOptions, recordPrefillLogits ? (position, logits) => prefillLogits.Add(position, logits.ToArray()) : null);
        var tokens = new int[steps];
        var logits = new float[steps][];
        for (int step = 0; step < steps; step++)
        {
            logits[step] = generator.Logits.ToArray();
            tokens[step] = Array.IndexOf(logits[step], logits[step].Max());
            if (step + 1 < steps)
            {
                generator.Append(tokens[step], runOptions);
            }
        }
        var cache = new float[2 * generator.Cache.Layers][];
        for (int layer = 0; layer < generator.Cache.Layers; layer++)
        {
            cache[2 * layer] = generator.Cache.Read(layer, values: false);
            cache[2 * layer + 1] = generator.Cache.Read(layer, values: true);
        }
        return new GreedyRun(tokens, logits, prefillLogits, cache);
    }

    private static void AssertSameCache(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Length, actual[i].Length);
            Assert.True(MaxDifference(expected[i], actual[i]) <= Tolerance,
                $"layer {i / 2} {(i % 2 == 0 ? "keys" : "values")} differ by {MaxDifference(expected[i], actual[i])}");
        }
    }

    private static float MaxDifference(float[] a, float[] b)
    {
        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }
        return max;
    }

    private static double[] Softmax(float[] logits)
    {
        float max = logits.Max();
        var p = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = p.Sum();
        return [.. p.Select(v => v / sum)];
    }

    private static double TotalVariation(double[] a, double[] b) => 0.5 * a.Zip(b, (x, y) => Math.Abs(x - y)).Sum();
}
