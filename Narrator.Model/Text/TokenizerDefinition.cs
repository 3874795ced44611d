using System.Text.Json;

namespace Narrator.Model.Text;

/// <summary>One entry of tokenizer.json's <c>added_tokens</c>: matched whole in the input, never split by BPE.</summary>
public readonly record struct AddedToken(int Id, string Content, bool Special);

/// <summary>
/// What Narrator reads from a Hugging Face byte-level BPE <c>tokenizer.json</c>: vocabulary, merges, added tokens,
/// the pre-tokenizer's split pattern and whether text is NFC-normalised first.
/// </summary>
public sealed class TokenizerDefinition
{
    private TokenizerDefinition(
        List<KeyValuePair<string, int>> vocabulary,
        List<string> merges,
        List<AddedToken> addedTokens,
        string splitPattern,
        bool normalizeNfc,
        string source)
    {
        Source = source;
        Vocabulary = vocabulary;
        Merges = merges;
        AddedTokens = addedTokens;
        SplitPattern = splitPattern;
        NormalizeNfc = normalizeNfc;
    }

    /// <summary>BPE vocabulary (byte-level alphabet strings to ids), in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Vocabulary { get; }

    /// <summary>Merge rules as "left right", highest priority first.</summary>
    public IReadOnlyList<string> Merges { get; }

    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>The regular expression of the pre-tokenizer's <c>Split</c> step.</summary>
    public string SplitPattern { get; }

    public bool NormalizeNfc { get; }

    /// <summary>Where the definition was read from (a path, or "the bundled tokenizer.json"), for error messages.</summary>
    public string Source { get; }

    /// <summary>Reads a tokenizer.json held in memory; <paramref name="source"/> names it in error messages.</summary>
    public static TokenizerDefinition Parse(ReadOnlySpan<byte> utf8Json, string source)
    {
        try
        {
            return ParseCore(utf8Json, source);
        }
        catch (JsonException ex)
        {
            throw new UserInputException($"{source} is not valid JSON ({ex.Message}).", ex);
        }
    }

    public static TokenizerDefinition Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"Cannot read the tokenizer file {path}: {ex.Message}", ex);
        }
        return Parse(bytes, path);
    }

    private static TokenizerDefinition ParseCore(ReadOnlySpan<byte> utf8Json, string source)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        List<KeyValuePair<string, int>>? vocabulary = null;
        List<string>? merges = null;
        var addedTokens = new List<AddedToken>();
        string? splitPattern = null;
        bool nfc = false;
        string? modelType = null;

        Expect(ref reader, JsonTokenType.StartObject, source, "the top level");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "added_tokens" when reader.TokenType == JsonTokenType.StartArray:
                    using (var doc = JsonDocument.ParseValue(ref reader))
                    {
                        foreach (var token in doc.RootElement.EnumerateArray())
                        {
                            if (token.ValueKind != JsonValueKind.Object
                                || !token.TryGetProperty("id", out var id) || !id.TryGetInt32(out int idValue)
                                || !token.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                            {
                                throw new UserInputException($"{source}: an added_tokens entry lacks an integer id or a content string.");
                            }
                            addedTokens.Add(new AddedToken(
                                idValue,
                                content.GetString()!,
                                token.TryGetProperty("special", out var special) && special.ValueKind == JsonValueKind.True));
                        }
                    }
                    break;
                case "normalizer" when reader.TokenType == JsonTokenType.StartObject:
                    using (var doc = JsonDocument.ParseValue(ref reader))
                    {
                        nfc = ReadNormalizer(doc.RootElement, source);
                    }
                    break;
                case "pre_tokenizer" when reader.TokenType == JsonTokenType.StartObject:
                    using (var doc = JsonDocument.ParseValue(ref reader))
                    {
                        splitPattern = FindSplitPattern(doc.RootElement);
                    }
                    break;
                case "model" when reader.TokenType == JsonTokenType.StartObject:
                    ReadModel(ref reader, source, out modelType, out vocabulary, out merges);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (modelType is not null && modelType != "BPE")
        {
            throw new UserInputException($"{source} describes a {modelType} model; Narrator needs a byte-level BPE tokenizer (Qwen2/2.5).");
        }
        if (vocabulary is null || vocabulary.Count == 0)
        {
            throw new UserInputException($"{source} has no model.vocab; it is not a BPE tokenizer.json.");
        }
        if (merges is null)
        {
            throw new UserInputException($"{source} has no model.merges; it is not a BPE tokenizer.json.");
        }
        if (splitPattern is null)
        {
            throw new UserInputException($"{source} has no Split pre-tokenizer with a regex pattern; Narrator needs the Qwen2 pre-tokenizer.");
        }
        return new TokenizerDefinition(vocabulary, merges, addedTokens, splitPattern, nfc, source);
    }

    private static void ReadModel(
        ref Utf8JsonReader reader,
        string source,
        out string? modelType,
        out List<KeyValuePair<string, int>>? vocabulary,
        out List<string>? merges)
    {
        modelType = null;
        vocabulary = null;
        merges = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            if (name == "type" && reader.TokenType == JsonTokenType.String)
            {
                modelType = reader.GetString();
            }
            else if (name == "vocab" && reader.TokenType == JsonTokenType.StartObject)
            {
                vocabulary = new List<KeyValuePair<string, int>>(160_000);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    string token = reader.GetString()!;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int id))
                    {
                        throw new UserInputException($"{source}: model.vocab entry \"{token}\" does not map to an integer id.");
                    }
                    vocabulary.Add(new(token, id));
                }
            }
            else if (name == "merges" && reader.TokenType == JsonTokenType.StartArray)
            {
                merges = new List<string>(160_000);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    merges.Add(ReadMerge(ref reader, source));
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    // Older files store a merge as "a b", newer ones as ["a", "b"].
    private static string ReadMerge(ref Utf8JsonReader reader, string source)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString()!;
        }
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            reader.Read();
            string? left = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            reader.Read();
            string? right = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            reader.Read();
            if (left is not null && right is not null && reader.TokenType == JsonTokenType.EndArray)
            {
                return string.Concat(left, " ", right);
            }
        }
        throw new UserInputException($"{source}: model.merges holds an entry that is neither \"a b\" nor [\"a\", \"b\"].");
    }

    private static bool ReadNormalizer(JsonElement normalizer, string source)
    {
        string? type = normalizer.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "NFC":
                return true;
            case "Sequence" when normalizer.TryGetProperty("normalizers", out var list):
                bool nfc = false;
                foreach (var item in list.EnumerateArray())
                {
                    nfc |= ReadNormalizer(item, source);
                }
                return nfc;
            default:
                throw new UserInputException($"{source} uses the normalizer \"{type}\"; Narrator supports only NFC (as Qwen2/2.5 do).");
        }
    }

    private static string? FindSplitPattern(JsonElement preTokenizer)
    {
        string? type = preTokenizer.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type == "Split" && preTokenizer.TryGetProperty("pattern", out var pattern)
            && pattern.ValueKind == JsonValueKind.Object && pattern.TryGetProperty("Regex", out var regex))
        {
            return regex.GetString();
        }
        if (type == "Sequence" && preTokenizer.TryGetProperty("pretokenizers", out var list))
        {
            foreach (var item in list.EnumerateArray())
            {
                if (FindSplitPattern(item) is { } found)
                {
                    return found;
                }
            }
        }
        return null;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string source, string where)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new UserInputException($"{source} is not a tokenizer.json: expected a JSON object at {where}.");
        }
    }
}
