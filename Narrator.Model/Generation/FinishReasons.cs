using Microsoft.Extensions.AI;

namespace Narrator.Model.Generation;

/// <summary>
/// Why generation ended: the texts <see cref="GenerationStats.FinishReason"/> carries (stored in history, sent to clients)
/// and the one mapping to and from <see cref="ChatFinishReason"/> every engine and caller uses.
/// </summary>
public static class FinishReasons
{
    /// <summary>The model wrote an end-of-sequence token.</summary>
    public const string Eos = "eos";

    /// <summary>The new-token limit was reached.</summary>
    public const string MaxNewTokens = "max_new_tokens";

    /// <summary>Stopped by its caller before either.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The Microsoft.Extensions.AI reason for a finish text; null for <see cref="Cancelled"/> and texts it has no word for.</summary>
    public static ChatFinishReason? ToChatFinishReason(string finishReason) => finishReason switch
    {
        Eos => ChatFinishReason.Stop,
        MaxNewTokens => ChatFinishReason.Length,
        _ => null,
    };

    /// <summary>
    /// The finish text for what a stream that ran to its end reported; a stream that ended without saying why ended on its
    /// own (<see cref="Eos"/>); reasons Narrator has no word for (a remote server's "content_filter") pass through.
    /// </summary>
    public static string FromChatFinishReason(ChatFinishReason? reason) =>
        reason is null || reason == ChatFinishReason.Stop ? Eos
        : reason == ChatFinishReason.Length ? MaxNewTokens
        : reason.Value.Value;
}
