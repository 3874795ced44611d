using System.Text.RegularExpressions;

namespace Narrator.Model.Text;

/// <summary>
/// The pre-tokenizer regex of tokenizer.json. Qwen2/2.5's own pattern is compiled ahead of time by the regex source
/// generator (no start-up compile); any other pattern a package brings is compiled when loaded.
/// </summary>
internal static partial class QwenSplitPattern
{
    public const string Qwen2 =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static Regex For(string pattern) =>
        pattern == Qwen2 ? Qwen2Regex() : new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    [GeneratedRegex(Qwen2, RegexOptions.CultureInvariant)]
    private static partial Regex Qwen2Regex();
}
