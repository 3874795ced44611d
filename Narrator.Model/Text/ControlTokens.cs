using System.Text.RegularExpressions;

namespace Narrator.Model.Text;

/// <summary>
/// Chat control tokens written into a person's text (<c>&lt;|im_end|&gt;</c>, <c>&lt;|endoftext|&gt;</c>, <c>&lt;|video_pad|&gt;</c> ...):
/// every special token of the Qwen tokenizers has the <c>&lt;|name|&gt;</c> shape, so a prompt can be refused when it
/// is received, before any tokenizer is at hand (the remote engine has none).
/// </summary>
public static partial class ControlTokens
{
    /// <summary>The first control token in <paramref name="text"/>, or null when it has none.</summary>
    public static string? Find(string? text) =>
        text is null || !text.Contains("<|", StringComparison.Ordinal) ? null
        : Pattern().Match(text) is { Success: true } match ? match.Value
        : null;

    [GeneratedRegex(@"<\|[A-Za-z0-9_]+\|>", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
