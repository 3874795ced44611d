using Narrator.Model.Generation;

namespace Narrator.Model.Tests.Generation;

public sealed class GenerationStatsTests
{
    [Fact]
    public void The_total_of_a_long_videos_segments_adds_counts_and_times_and_measures_speed_over_all_decoding()
    {
        GenerationStats[] segments =
        [
            new() { PromptTokens = 500, VisualTokens = 400, GeneratedTokens = 11, Frames = 16, VisionMilliseconds = 50, PrefillMilliseconds = 200,
                TimeToFirstTokenMilliseconds = 300, TotalMilliseconds = 1300, FinishReason = "eos" },
            new() { PromptTokens = 700, VisualTokens = 600, GeneratedTokens = 21, Frames = 24, VisionMilliseconds = 70, PrefillMilliseconds = 300,
                TimeToFirstTokenMilliseconds = 400, TotalMilliseconds = 2400, FinishReason = "max_new_tokens" },
        ];

        var total = GenerationStats.Total(segments);

        Assert.Equal(1200, total.PromptTokens);
        Assert.Equal(1000, total.VisualTokens);
        Assert.Equal(32, total.GeneratedTokens);
        Assert.Equal(40, total.Frames);
        Assert.Equal(120, total.VisionMilliseconds);
        Assert.Equal(500, total.PrefillMilliseconds);
        Assert.Equal(3700, total.TotalMilliseconds);
        Assert.Equal(300, total.TimeToFirstTokenMilliseconds);
        // 30 decode steps (each segment's first token comes from prefill) over 1.0 s + 2.0 s of decoding.
        Assert.Equal(10, total.TokensPerSecond, 9);
        Assert.Equal("max_new_tokens", total.FinishReason);
    }

    [Fact]
    public void The_total_of_nothing_is_empty() =>
        Assert.Equal(new GenerationStats(), GenerationStats.Total([]));
}
