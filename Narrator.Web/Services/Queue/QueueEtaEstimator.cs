using Narrator.Model.Generation;

namespace Narrator.Web.Services.Queue;

/// <summary>
/// Predicts how long a request will hold the model, from recent narrations: decode tokens/s, prefill cost per
/// prompt token, and how much of max_new_tokens requests really use. Until one has finished it uses the configured guess.
/// </summary>
public sealed class QueueEtaEstimator
{
    // Weight of the newest observation; recent narrations matter most, but one outlier must not swing every ETA.
    private const double Smoothing = 0.3;
    // Prefill processes a whole prompt in one pass; until measured assume it is this many times faster per token than decoding.
    private const double AssumedPrefillSpeedup = 20;

    private readonly Lock gate = new();
    private double tokensPerSecond;
    private double prefillMillisecondsPerToken;
    private double usedFractionOfMax = 1;
    private int observations;

    public QueueEtaEstimator(double assumedTokensPerSecond)
    {
        tokensPerSecond = assumedTokensPerSecond;
        prefillMillisecondsPerToken = 1000 / (assumedTokensPerSecond * AssumedPrefillSpeedup);
    }

    public int Observations
    {
        get { lock (gate) { return observations; } }
    }

    public double TokensPerSecond
    {
        get { lock (gate) { return tokensPerSecond; } }
    }

    /// <summary>Learns from a finished narration (cancelled ones too, as long as they generated something).</summary>
    public void Record(GenerationStats stats, int maxNewTokens)
    {
        lock (gate)
        {
            double weight = observations == 0 ? 1 : Smoothing;
            if (stats.TokensPerSecond > 0 && double.IsFinite(stats.TokensPerSecond))
            {
                tokensPerSecond = Blend(tokensPerSecond, stats.TokensPerSecond, weight);
            }
            int promptTokens = Math.Max(1, stats.PromptTokens);
            double prefill = stats.VisionMilliseconds + stats.PrefillMilliseconds;
            if (prefill > 0)
            {
                prefillMillisecondsPerToken = Blend(prefillMillisecondsPerToken, prefill / promptTokens, weight);
            }
            if (maxNewTokens > 0 && stats.FinishReason != "cancelled")
            {
                usedFractionOfMax = Blend(usedFractionOfMax, Math.Clamp((double)stats.GeneratedTokens / maxNewTokens, 0, 1), weight);
            }
            observations++;
        }
    }

    /// <summary>Seconds the model will spend on this work from start to finish.</summary>
    public double EstimateServiceSeconds(NarrationWork work)
    {
        lock (gate)
        {
            // A prompt is the visual tokens plus a few dozen text tokens of chat template and instruction.
            double promptTokens = work.EstimatedVisualTokens + 64 + work.Prompt.Length / 2.0;
            double prefillSeconds = promptTokens * prefillMillisecondsPerToken / 1000;
            double decodeSeconds = Math.Max(1, work.Options.Generation.MaxNewTokens * usedFractionOfMax) / Math.Max(tokensPerSecond, 1e-3);
            return (prefillSeconds + decodeSeconds) * Math.Max(1, work.EstimatedSegments);
        }
    }

    /// <summary>Seconds left for work that has been running for <paramref name="elapsed"/>.</summary>
    public double EstimateRemainingSeconds(NarrationWork work, TimeSpan elapsed) =>
        Math.Max(0, EstimateServiceSeconds(work) - elapsed.TotalSeconds);

    /// <summary>
    /// Seconds until each waiting request reaches the model, given what is running (remaining seconds per busy slot)
    /// and the waiting work in queue order, with <paramref name="slots"/> requests served at once.
    /// </summary>
    public double[] EstimateWaits(IReadOnlyList<double> runningRemaining, IReadOnlyList<NarrationWork> waiting, int slots)
    {
        slots = Math.Max(1, slots);
        var freeAt = new PriorityQueue<int, double>();
        for (int i = 0; i < slots; i++)
        {
            freeAt.Enqueue(i, i < runningRemaining.Count ? runningRemaining[i] : 0);
        }
        var waits = new double[waiting.Count];
        for (int i = 0; i < waiting.Count; i++)
        {
            freeAt.TryDequeue(out int slot, out double start);
            waits[i] = start;
            freeAt.Enqueue(slot, start + EstimateServiceSeconds(waiting[i]));
        }
        return waits;
    }

    private static double Blend(double old, double observed, double weight) => old + (observed - old) * weight;
}
