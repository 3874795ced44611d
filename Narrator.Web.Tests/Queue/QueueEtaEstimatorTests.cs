using Narrator.Model.Generation;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Tests.Queue;

public sealed class QueueEtaEstimatorTests
{
    [Fact]
    public void After_a_narration_the_estimate_follows_the_measured_speed_and_length()
    {
        var estimator = new QueueEtaEstimator(assumedTokensPerSecond: 10);
        var work = QueueHarness.Work("p", maxNewTokens: 100) with { EstimatedVisualTokens = 1000 };
        double guessed = estimator.EstimateServiceSeconds(work);

        // Measured: 50 tokens/s, 2 ms per prompt token of vision + prefill, and only half of max_new_tokens used.
        estimator.Record(new GenerationStats
        {
            PromptTokens = 1000, GeneratedTokens = 50, TokensPerSecond = 50, VisionMilliseconds = 500, PrefillMilliseconds = 1500, FinishReason = "eos",
        }, maxNewTokens: 100);
        double learned = estimator.EstimateServiceSeconds(work);

        // Prompt = 1000 visual + 64 template + half a token for "p"; before any narration: 10 tokens/s, prefill 20x faster.
        Assert.Equal(100 / 10.0 + 1064.5 * 0.005, guessed, 3);
        // 1064.5 prompt tokens x 2 ms + 50 expected tokens / 50 per second.
        Assert.Equal(1064.5 * 0.002 + 1, learned, 3);
    }

    [Fact]
    public void A_long_video_is_expected_to_cost_one_narration_per_segment()
    {
        var estimator = new QueueEtaEstimator(assumedTokensPerSecond: 10);
        var clip = QueueHarness.Work("p", maxNewTokens: 100) with { EstimatedVisualTokens = 1000 };

        double whole = estimator.EstimateServiceSeconds(clip);
        double film = estimator.EstimateServiceSeconds(clip with { EstimatedSegments = 20 });

        Assert.Equal(20 * whole, film, 6);
    }

    [Fact]
    public void Waits_add_up_the_work_ahead_across_the_engine_slots()
    {
        var estimator = new QueueEtaEstimator(assumedTokensPerSecond: 10);
        var work = QueueHarness.Work("p", maxNewTokens: 100);
        double one = estimator.EstimateServiceSeconds(work);

        var single = estimator.EstimateWaits([5], [work, work, work], slots: 1);
        var pair = estimator.EstimateWaits([5], [work, work, work], slots: 2);

        Assert.Equal([5, 5 + one, 5 + 2 * one], single, new ToleranceComparer());
        // Slot 2 is idle: the first waits 0, the second takes slot 1 when its 5 s are up, the third follows the first.
        Assert.Equal([0, 5, one], pair, new ToleranceComparer());
    }

    private sealed class ToleranceComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-6;

        public int GetHashCode(double obj) => 0;
    }
}
