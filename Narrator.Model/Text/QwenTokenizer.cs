using System.Text;
using Microsoft.ML.Tokenizers;

namespace Narrator.Model.Text;

/// <summary>
/// The Qwen2/2.5 byte-level BPE tokenizer, built with Microsoft.ML.Tokenizers from a package's tokenizer.json:
/// NFC, the tokenizer.json split pattern, byte-level BPE, added tokens matched whole. Thread-safe.
/// </summary>
public sealed class QwenTokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, int> _addedTokens;
    private readonly Dictionary<int, AddedToken> _addedById;
    private readonly Lazy<TokenByteTable> _bytes;

    public QwenTokenizer(TokenizerDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _addedTokens = new Dictionary<string, int>(definition.AddedTokens.Count, StringComparer.Ordinal);
        _addedById = new Dictionary<int, AddedToken>(definition.AddedTokens.Count);
        foreach (var token in definition.AddedTokens)
        {
            _addedTokens[token.Content] = token.Id;
            _addedById[token.Id] = token;
        }

        try
        {
            var splitter = QwenSplitPattern.For(definition.SplitPattern);
            _bpe = BpeTokenizer.Create(new BpeOptions(definition.Vocabulary)
            {
                Merges = definition.Merges,
                SpecialTokens = _addedTokens,
                Normalizer = definition.NormalizeNfc ? NfcNormalizer.Instance : null,
                PreTokenizer = new CodePointPreTokenizer(new RegexPreTokenizer(splitter, _addedTokens)),
                ByteLevel = true,
            });
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // A merge naming a token missing from the vocabulary, a broken split regex, duplicate vocabulary entries.
            throw new UserInputException($"{definition.Source} does not describe a usable BPE tokenizer: {ex.Message}", ex);
        }

        int maxId = -1;
        foreach (var entry in definition.Vocabulary)
        {
            maxId = Math.Max(maxId, entry.Value);
        }
        foreach (var token in definition.AddedTokens)
        {
            maxId = Math.Max(maxId, token.Id);
        }
        VocabularySize = maxId + 1;
        _bytes = new Lazy<TokenByteTable>(() => TokenByteTable.Build(_bpe.Vocabulary, _addedById, VocabularySize));
    }

    /// <summary>One more than the largest id (regular or added), i.e. the smallest logits width that covers every token.</summary>
    public int VocabularySize { get; }

    /// <summary>The added tokens (control tokens such as &lt;|im_start|&gt; and the vision tokens), by content.</summary>
    public IReadOnlyDictionary<string, int> AddedTokens => _addedTokens;

    /// <summary>The underlying Microsoft.ML.Tokenizers model.</summary>
    public Tokenizer Inner => _bpe;

    public static QwenTokenizer FromFile(string tokenizerJsonPath) => new(TokenizerDefinition.Load(tokenizerJsonPath));

    /// <summary>The Qwen tokenizer shipped inside Narrator.Model (same vocabulary as Qwen2.5-VL), loaded once.</summary>
    public static QwenTokenizer Bundled => BundledInstance.Value;

    private static readonly Lazy<QwenTokenizer> BundledInstance =
        new(() => new QwenTokenizer(TokenizerDefinition.Parse(BundledTokenizer.ReadTokenizerJson(), "the bundled tokenizer.json")));

    /// <summary>Encodes text; added tokens written in the text (e.g. "&lt;|im_start|&gt;") become their ids.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return [];
        }
        var ids = _bpe.EncodeToIds(text);
        var result = new int[ids.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = ids[i];
        }
        return result;
    }

    /// <summary>Appends the ids of <paramref name="text"/> to <paramref name="destination"/>.</summary>
    public void Encode(string text, List<int> destination)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0)
        {
            destination.AddRange(_bpe.EncodeToIds(text));
        }
    }

    /// <summary>Decodes ids to text; bytes that do not form UTF-8 become U+FFFD, as in Hugging Face's decode.</summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var table = _bytes.Value;
        var bytes = new ArrayBufferWriterOfBytes(ids.Length * 4);
        foreach (int id in ids)
        {
            if (skipSpecialTokens && IsSpecial(id))
            {
                continue;
            }
            bytes.Write(table.BytesOf(id));
        }
        return Encoding.UTF8.GetString(bytes.WrittenSpan);
    }

    /// <summary>A decoder for one generation: feed ids one at a time, get whole characters back.</summary>
    public TokenizerStream CreateStream(bool skipSpecialTokens = true) => new(this, skipSpecialTokens);

    /// <summary>The id of a token by its text (e.g. "&lt;|video_pad|&gt;"); a clear error when the tokenizer lacks it.</summary>
    public int TokenId(string token)
    {
        if (TryGetTokenId(token, out int id))
        {
            return id;
        }
        throw new UserInputException($"The tokenizer has no token \"{token}\"; it is not a Qwen2/2.5-VL tokenizer.");
    }

    public bool TryGetTokenId(string token, out int id)
    {
        if (_addedTokens.TryGetValue(token, out id))
        {
            return true;
        }
        if (_bpe.Vocabulary.TryGetValue(token, out id))
        {
            return true;
        }
        id = -1;
        return false;
    }

    /// <summary>True for added tokens flagged special (control and vision tokens), which decoding can skip.</summary>
    public bool IsSpecial(int id) => _addedById.TryGetValue(id, out var token) && token.Special;

    /// <summary>The raw bytes one id stands for (empty for an unknown id).</summary>
    internal ReadOnlySpan<byte> TokenBytes(int id) => _bytes.Value.BytesOf(id);

    /// <summary>Grows a byte buffer without LINQ or per-token allocations.</summary>
    private struct ArrayBufferWriterOfBytes(int capacity)
    {
        private byte[] _buffer = new byte[Math.Max(16, capacity)];
        private int _count;

        public readonly ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _count);

        public void Write(ReadOnlySpan<byte> bytes)
        {
            if (_count + bytes.Length > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _count + bytes.Length));
            }
            bytes.CopyTo(_buffer.AsSpan(_count));
            _count += bytes.Length;
        }
    }
}
