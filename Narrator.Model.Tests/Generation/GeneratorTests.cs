using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Generation;
using Narrator.Model.Positions;
using Narrator.Model.Tests.Synthetic;
using Narrator.Model.Text;

namespace Narrator.Model.Tests.Generation;

[Collection(TinyModelCollection.Name)]
public class GeneratorTests(TinyModelFixture tiny)
{
    private const float Tolerance = 1e-4f;

    private NarrationGenerator Engine() => new(tiny.Package, QwenTokenizer.Bundled);

    [Fact]
    public void Every_incremental_step_matches_one_full_forward_pass_over_a_video_prompt()
    {
        var prompt = Engine().BuildPrompt("Describe this clip.", SyntheticMedia.Video());
        Assert.Contains((int)tiny.Package.Config.Model.VideoTokenId, prompt.Ids);
        const int steps = 12;
        var (tokens, stepLogits) = Greedy(prompt, steps, chunk: Generator.DefaultPrefillChunkSize);

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
        var full = prompt with { Ids = [.. prompt.Ids, .. tokens[..^1]], PositionIds = positions };
        var fullLogits = new float[steps][];
        using (var generator = new Generator(tiny.Package, prefillChunkSize: total))
        using (var runOptions = new RunOptions())
        {
            generator.Prefill(full, runOptions, (position, logits) =>
            {
                if (position >= length - 1)
                {
                    fullLogits[position - length + 1] = logits.ToArray();
                }
            });
        }

        for (int step = 0; step < steps; step++)
        {
            Assert.True(MaxDifference(stepLogits[step], fullLogits[step]) <= Tolerance,
                $"step {step}: incremental and full-pass logits differ by {MaxDifference(stepLogits[step], fullLogits[step])}");
        }
    }

    [Fact]
    public void Chunked_prefill_gives_the_same_logits_and_tokens_as_one_pass()
    {
        var prompt = Engine().BuildPrompt("What happens?", SyntheticMedia.Video());
        Assert.True(prompt.Ids.Length > 3 * 7, "the prompt must span several chunks");
        var (oneTokens, oneLogits) = Greedy(prompt, 6, chunk: prompt.Ids.Length);
        var (chunkTokens, chunkLogits) = Greedy(prompt, 6, chunk: 7);
        Assert.Equal(oneTokens, chunkTokens);
        for (int step = 0; step < oneLogits.Length; step++)
        {
            Assert.True(MaxDifference(oneLogits[step], chunkLogits[step]) <= Tolerance, $"step {step} differs");
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
        var a = Softmax(Greedy(original, 1, Generator.DefaultPrefillChunkSize).Logits[0]);
        var b = Softmax(Greedy(edited, 1, Generator.DefaultPrefillChunkSize).Logits[0]);
        Assert.True(TotalVariation(a, b) > 0.01, $"distributions differ by only {TotalVariation(a, b)}");
    }

    [Fact]
    public void Changing_the_position_ids_changes_the_logits()
    {
        var prompt = Engine().BuildPrompt("Describe this clip.", SyntheticMedia.Video());
        var moved = (long[])prompt.PositionIds.Clone();
        int length = prompt.Ids.Length;
        int firstVisual = Array.IndexOf(prompt.Ids, (int)tiny.Package.Config.Model.VideoTokenId);
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
        var a = Greedy(prompt, 1, Generator.DefaultPrefillChunkSize).Logits[0];
        var b = Greedy(prompt with { PositionIds = moved }, 1, Generator.DefaultPrefillChunkSize).Logits[0];
        Assert.True(MaxDifference(a, b) > 1e-2, $"logits moved by only {MaxDifference(a, b)}");
    }

    [Fact]
    public void Text_only_prompts_generate_without_vision_input()
    {
        var prompt = Engine().BuildPrompt("Say something.", null);
        var (tokens, logits) = Greedy(prompt, 3, Generator.DefaultPrefillChunkSize);
        Assert.Equal(3, tokens.Length);
        Assert.All(logits, l => Assert.True(l.All(float.IsFinite)));
    }

    [Fact]
    public void Visual_pad_count_that_does_not_match_the_features_is_refused()
    {
        var prompt = Engine().BuildPrompt("Describe this clip.", SyntheticMedia.Video());
        var smaller = SyntheticMedia.Video(width: 56, height: 56);
        using var generator = new Generator(tiny.Package);
        using var runOptions = new RunOptions();
        var error = Assert.Throws<InvalidOperationException>(() =>
            generator.Prefill(prompt with { PixelValues = smaller.PixelValues, Grid = smaller.Grid }, runOptions));
        Assert.Contains("visual pad tokens", error.Message);
    }

    private (int[] Tokens, float[][] Logits) Greedy(GeneratorPrompt prompt, int steps, int chunk)
    {
        using var generator = new Generator(tiny.Package, chunk);
        using var runOptions = new RunOptions();
        generator.Prefill(prompt, runOptions);
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
        return (tokens, logits);
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
