namespace Narrator.Model.Generation;

/// <summary>Sampling and stopping settings for one narration. Defaults are the Qwen-VL-Narrator ones (greedy, repetition penalty 1.05).</summary>
public sealed record GenerationOptions
{
    public int MaxNewTokens { get; init; } = 1536;

    /// <summary>0 means greedy.</summary>
    public float Temperature { get; init; }

    /// <summary>1 disables nucleus filtering.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>0 disables top-k filtering.</summary>
    public int TopK { get; init; }

    public float RepetitionPenalty { get; init; } = 1.05f;

    public int? Seed { get; init; }
}
