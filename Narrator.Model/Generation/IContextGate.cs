using Narrator.Model.Media;

namespace Narrator.Model.Generation;

/// <summary>
/// Measures a request against the engine's context before it queues: an engine that knows its tokenizer and context
/// (the in-process one) answers <c>GetService(typeof(IContextGate))</c> with this; a remote engine does not.
/// </summary>
public interface IContextGate
{
    /// <summary>Tokens one request may hold (prompt plus new tokens).</summary>
    int ContextTokens { get; }

    /// <summary>
    /// Counts the prompt's tokens for <paramref name="prompt"/> about media planned as <paramref name="plan"/> (null for
    /// text only) and returns them, or throws <see cref="ContextOverflowException"/> with the numbers when the prompt plus
    /// <paramref name="maxNewTokens"/> cannot fit.
    /// </summary>
    int EnsureFits(string prompt, FramePlan? plan, int maxNewTokens, string? systemPrompt = null);
}
