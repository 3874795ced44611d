using System.Globalization;
using Narrator.Model.Generation;

namespace Narrator.Model.Onnx;

/// <summary>
/// How many tokens one request may hold on a package (prompt plus new tokens): genai_config's context_length, cut to the
/// attention window when the package has one, since keys beyond the window would silently stop being seen.
/// </summary>
public sealed record ContextLimit
{
    /// <summary>genai_config model.context_length (search.max_length when the package gives none).</summary>
    public required int ContextLength { get; init; }

    /// <summary>Keys a query attends behind it (genai_config decoder.sliding_window or the graph's local_window_size); null for full attention.</summary>
    public int? AttentionWindow { get; init; }

    public int Tokens => AttentionWindow is { } window ? Math.Min(window, ContextLength) : ContextLength;

    /// <summary>The limit in words, e.g. "32,768 tokens (the attention window; context_length is 128,000)".</summary>
    public string Describe() => AttentionWindow is { } window && window < ContextLength
        ? $"{Format(Tokens)} tokens (its attention window; context_length is {Format(ContextLength)})"
        : $"{Format(Tokens)} tokens";

    /// <summary>Throws <see cref="ContextOverflowException"/> with the numbers when the request cannot fit.</summary>
    public void Check(int promptTokens, int visualTokens, int maxNewTokens)
    {
        long needed = (long)promptTokens + maxNewTokens;
        if (needed > Tokens)
        {
            string frames = visualTokens > 0 ? $" ({Format(visualTokens)} of them for the frames)" : "";
            string advice = visualTokens > 0 ? "use fewer frames or fewer pixels per frame, or ask for fewer new tokens" : "shorten the prompt or ask for fewer new tokens";
            throw new ContextOverflowException(
                $"This request needs {Format(promptTokens)} prompt tokens{frames} plus up to {Format(maxNewTokens)} new tokens, {Format(needed)} in all, " +
                $"but the model holds {Describe()} per request; {advice}.",
                promptTokens, maxNewTokens, Tokens);
        }
    }

    internal static ContextLimit For(GenAiConfig config, DecoderGraphFacts graph)
    {
        int context = config.Model.ContextLength > 0 ? config.Model.ContextLength : config.Search.MaxLength;
        int? window = Smaller(config.Model.Decoder.SlidingWindow?.WindowSize, graph.LocalWindowSize);
        return new ContextLimit { ContextLength = context, AttentionWindow = window };
    }

    private static int? Smaller(int? a, int? b) => a is { } x && b is { } y ? Math.Min(x, y) : a ?? b;

    private static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
