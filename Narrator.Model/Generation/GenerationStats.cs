namespace Narrator.Model.Generation;

/// <summary>Figures of one finished (or stopped) narration, shown to the person and stored in history.</summary>
public sealed record GenerationStats
{
    public int PromptTokens { get; init; }

    public int VisualTokens { get; init; }

    public int GeneratedTokens { get; init; }

    public int Frames { get; init; }

    public double VisionMilliseconds { get; init; }

    public double PrefillMilliseconds { get; init; }

    /// <summary>From the start of generation (vision encoder) to the first generated token.</summary>
    public double TimeToFirstTokenMilliseconds { get; init; }

    /// <summary>Decode speed after the first token.</summary>
    public double TokensPerSecond { get; init; }

    public double TotalMilliseconds { get; init; }

    /// <summary>One of <see cref="FinishReasons"/> ("eos", "max_new_tokens", "cancelled"), or a remote server's own reason.</summary>
    public string FinishReason { get; init; } = "";

    /// <summary>
    /// A long video narrated segment by segment, as one set of figures: counts and times add up, the first token is the
    /// first segment's, decode speed is over all segments' decoding, the finish reason is the last segment's.
    /// </summary>
    public static GenerationStats Total(IReadOnlyList<GenerationStats> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            return new GenerationStats();
        }
        int prompt = 0, visual = 0, generated = 0, frames = 0;
        double vision = 0, prefill = 0, total = 0, decodeSeconds = 0;
        foreach (var part in parts)
        {
            prompt += part.PromptTokens;
            visual += part.VisualTokens;
            generated += part.GeneratedTokens;
            frames += part.Frames;
            vision += part.VisionMilliseconds;
            prefill += part.PrefillMilliseconds;
            total += part.TotalMilliseconds;
            decodeSeconds += Math.Max(0, part.TotalMilliseconds - part.TimeToFirstTokenMilliseconds) / 1000;
        }
        return new GenerationStats
        {
            PromptTokens = prompt,
            VisualTokens = visual,
            GeneratedTokens = generated,
            Frames = frames,
            VisionMilliseconds = vision,
            PrefillMilliseconds = prefill,
            TimeToFirstTokenMilliseconds = parts[0].TimeToFirstTokenMilliseconds,
            // Each segment's first token is not a decode step, as in a single narration's figure.
            TokensPerSecond = decodeSeconds > 0 ? Math.Max(0, generated - parts.Count) / decodeSeconds : 0,
            TotalMilliseconds = total,
            FinishReason = parts[^1].FinishReason,
        };
    }
}
