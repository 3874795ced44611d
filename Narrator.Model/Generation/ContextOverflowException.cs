namespace Narrator.Model.Generation;

/// <summary>A request whose prompt plus new tokens cannot fit the model's context; refused before it queues or runs, with the numbers.</summary>
public sealed class ContextOverflowException(string message, int promptTokens, int maxNewTokens, int contextTokens) : UserInputException(message)
{
    public int PromptTokens { get; } = promptTokens;

    public int MaxNewTokens { get; } = maxNewTokens;

    /// <summary>Tokens one request may hold on this model.</summary>
    public int ContextTokens { get; } = contextTokens;
}
