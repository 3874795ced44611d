using Narrator.Model.Generation;

namespace Narrator.Model.Tests.Generation;

public class SamplerTests
{
    [Fact]
    public void Greedy_picks_the_largest_logit()
    {
        var sampler = new Sampler(new GenerationOptions { RepetitionPenalty = 1f }, 5);
        Assert.Equal(3, sampler.Sample(new float[] { 0.1f, 2f, -1f, 2.5f, 0f }));
    }

    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_negative_logits_of_seen_tokens()
    {
        var sampler = new Sampler(new GenerationOptions { RepetitionPenalty = 2f }, 4);
        sampler.Observe([1, 2]);
        var logits = new float[] { 1f, 3f, -1f, 1.6f };
        Assert.Equal(3, sampler.Sample(logits));
        Assert.Equal(new float[] { 1f, 1.5f, -2f, 1.6f }, logits);
    }

    [Fact]
    public void Same_seed_draws_the_same_tokens_and_another_seed_differs()
    {
        int[] Draw(int seed)
        {
            var sampler = new Sampler(new GenerationOptions { Temperature = 1.5f, Seed = seed, RepetitionPenalty = 1f }, 50);
            var random = new Random(0);
            var tokens = new int[40];
            for (int i = 0; i < tokens.Length; i++)
            {
                var logits = new float[50];
                for (int j = 0; j < logits.Length; j++)
                {
                    logits[j] = (float)random.NextDouble();
                }
                tokens[i] = sampler.Sample(logits);
            }
            return tokens;
        }
        Assert.Equal(Draw(11), Draw(11));
        Assert.NotEqual(Draw(11), Draw(12));
    }

    [Fact]
    public void Top_k_only_ever_draws_from_the_k_largest()
    {
        var sampler = new Sampler(new GenerationOptions { Temperature = 5f, TopK = 2, Seed = 1, RepetitionPenalty = 1f }, 6);
        var seen = new HashSet<int>();
        for (int i = 0; i < 300; i++)
        {
            seen.Add(sampler.Sample(new float[] { 0f, 1f, 0.5f, 0.9f, 0.2f, 0.95f }));
        }
        Assert.Equal(new HashSet<int> { 1, 5 }, seen);
    }

    [Fact]
    public void Top_p_keeps_the_smallest_prefix_reaching_the_mass()
    {
        // Probabilities about 0.665, 0.245, 0.09: top_p 0.8 keeps the first two only.
        var logits = new float[] { 2f, 1f, 0f };
        var sampler = new Sampler(new GenerationOptions { Temperature = 1f, TopP = 0.8f, Seed = 3, RepetitionPenalty = 1f }, 3);
        var counts = new int[3];
        for (int i = 0; i < 2000; i++)
        {
            counts[sampler.Sample((float[])logits.Clone())]++;
        }
        Assert.Equal(0, counts[2]);
        Assert.InRange(counts[1], 450, 750);
    }

    [Fact]
    public void Sampling_follows_the_temperature_scaled_distribution_over_a_full_vocabulary()
    {
        const int vocab = 151936;
        var logits = new float[vocab];
        Array.Fill(logits, -20f);
        logits[10] = 10f;
        logits[20] = 10f + MathF.Log(3f);
        var sampler = new Sampler(new GenerationOptions { Temperature = 1f, Seed = 5, RepetitionPenalty = 1f }, vocab);
        int twenty = 0, ten = 0;
        for (int i = 0; i < 400; i++)
        {
            int token = sampler.Sample((float[])logits.Clone());
            twenty += token == 20 ? 1 : 0;
            ten += token == 10 ? 1 : 0;
        }
        Assert.Equal(400, ten + twenty);
        Assert.InRange(twenty, 250, 350);
    }

    [Fact]
    public void Invalid_settings_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sampler(new GenerationOptions { Temperature = -1f }, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sampler(new GenerationOptions { TopP = 0f }, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sampler(new GenerationOptions { TopK = -2 }, 4));
    }
}

public class ArgMaxTests
{
    [Fact]
    public void Vectorised_argmax_agrees_with_the_first_maximum_on_ties_and_odd_lengths()
    {
        var random = new Random(4);
        for (int trial = 0; trial < 500; trial++)
        {
            var values = new float[random.Next(1, 70)];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = random.Next(6) - 3;
            }
            int expected = Array.IndexOf(values, values.Max());
            Assert.Equal(expected, Sampler.ArgMax(values));
        }
    }
}
