using System.Text;

namespace Narrator.Model.Text;

/// <summary>
/// Incremental detokenizer for one generation: byte-level BPE can split one UTF-8 character (most Chinese characters
/// are 3 bytes) over several tokens, so bytes are held back until they complete a character. Never yields half a
/// character or U+FFFD: bytes that can never form UTF-8 are dropped. Not thread-safe; one per generation.
/// </summary>
public sealed class TokenizerStream
{
    // UTF-8 that drops invalid bytes instead of writing U+FFFD; partial characters stay inside the Decoder.
    private static readonly Encoding DroppingUtf8 =
        Encoding.GetEncoding(Encoding.UTF8.CodePage, EncoderFallback.ReplacementFallback, new DecoderReplacementFallback(string.Empty));

    private readonly QwenTokenizer _tokenizer;
    private readonly bool _skipSpecialTokens;
    private readonly Decoder _decoder;
    private char[] _chars = new char[64];

    internal TokenizerStream(QwenTokenizer tokenizer, bool skipSpecialTokens)
    {
        _tokenizer = tokenizer;
        _skipSpecialTokens = skipSpecialTokens;
        _decoder = DroppingUtf8.GetDecoder();
    }

    /// <summary>Feeds one id; returns the text it completes (often empty while a character is still partial).</summary>
    public string Decode(int id)
    {
        if (_tokenizer.IsSpecial(id))
        {
            // A control token ends any partial character: what was held back can no longer complete.
            string pending = Flush();
            return _skipSpecialTokens ? pending : pending + Encoding.UTF8.GetString(_tokenizer.TokenBytes(id));
        }
        return Convert(_tokenizer.TokenBytes(id), flush: false);
    }

    /// <summary>Ends the stream: returns whatever whole characters remain and drops an incomplete tail.</summary>
    public string Flush() => Convert([], flush: true);

    /// <summary>Forgets held-back bytes so the stream can start a new generation.</summary>
    public void Reset() => _decoder.Reset();

    private string Convert(ReadOnlySpan<byte> bytes, bool flush)
    {
        int needed = _decoder.GetCharCount(bytes, flush: false) + 4;
        if (needed > _chars.Length)
        {
            _chars = new char[Math.Max(needed, _chars.Length * 2)];
        }
        _decoder.Convert(bytes, _chars, flush, out _, out int charsUsed, out _);
        return charsUsed == 0 ? string.Empty : new string(_chars, 0, charsUsed);
    }
}
