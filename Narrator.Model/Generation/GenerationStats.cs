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

    /// <summary>"eos", "max_new_tokens" or "cancelled".</summary>
    public string FinishReason { get; init; } = "";
}
