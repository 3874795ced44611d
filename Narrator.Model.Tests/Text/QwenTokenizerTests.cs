using Narrator.Model.Text;

namespace Narrator.Model.Tests.Text;

public class QwenTokenizerTests
{
    private static QwenTokenizer Tokenizer => QwenTokenizer.Bundled;

    public static TheoryData<int> GoldenIndices => GoldenTokenizerCases.Indices(GoldenTokenizerCases.All);

    public static TheoryData<int> ExtraIndices => GoldenTokenizerCases.Indices(GoldenTokenizerCases.Extra);

    [Theory]
    [MemberData(nameof(GoldenIndices))]
    public void Encodes_golden_text_to_the_reference_ids(int index)
    {
        var golden = GoldenTokenizerCases.All[index];
        Assert.Equal(golden.Ids, Tokenizer.Encode(golden.Text));
    }

    [Theory]
    [MemberData(nameof(GoldenIndices))]
    public void Decodes_golden_ids_back_to_the_text(int index)
    {
        var golden = GoldenTokenizerCases.All[index];
        Assert.True(golden.Roundtrip);
        Assert.Equal(golden.Text, Tokenizer.Decode(golden.Ids));
    }

    [Theory]
    [MemberData(nameof(ExtraIndices))]
    public void Encodes_emoji_rare_characters_and_mixed_scripts_like_the_reference(int index)
    {
        var extra = GoldenTokenizerCases.Extra[index];
        Assert.Equal(extra.Ids, Tokenizer.Encode(extra.Text));
        if (extra.Roundtrip)
        {
            Assert.Equal(extra.Text, Tokenizer.Decode(extra.Ids));
        }
    }

    [Fact]
    public void Normalises_to_nfc_before_encoding()
    {
        Assert.Equal(Tokenizer.Encode("caf\u00e9"), Tokenizer.Encode("cafe\u0301"));
    }

    [Theory]
    [InlineData(QwenTokens.EndOfText, 151643)]
    [InlineData(QwenTokens.ImStart, 151644)]
    [InlineData(QwenTokens.ImEnd, 151645)]
    [InlineData(QwenTokens.VisionStart, 151652)]
    [InlineData(QwenTokens.VisionEnd, 151653)]
    [InlineData(QwenTokens.ImagePad, 151655)]
    [InlineData(QwenTokens.VideoPad, 151656)]
    [InlineData("Hello", 9707)]
    public void Looks_up_token_ids_by_name(string token, int id)
    {
        Assert.Equal(id, Tokenizer.TokenId(token));
    }

    [Fact]
    public void Unknown_token_name_is_a_clear_error()
    {
        var error = Assert.Throws<UserInputException>(() => Tokenizer.TokenId("<|no_such_token|>"));
        Assert.Equal("The tokenizer has no token \"<|no_such_token|>\"; it is not a Qwen2/2.5-VL tokenizer.", error.Message);
    }

    [Fact]
    public void Vocabulary_size_covers_every_added_token()
    {
        Assert.Equal(151669, Tokenizer.VocabularySize);
        Assert.True(Tokenizer.IsSpecial(151645));
        Assert.False(Tokenizer.IsSpecial(9707));
        Assert.False(Tokenizer.IsSpecial(Tokenizer.TokenId("<think>")));
    }

    [Fact]
    public void Decode_can_skip_control_tokens()
    {
        int[] ids = Tokenizer.Encode("<|im_start|>assistant\n你好<|im_end|>");
        Assert.Equal("assistant\n你好", Tokenizer.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("<|im_start|>assistant\n你好<|im_end|>", Tokenizer.Decode(ids));
    }

    [Fact]
    public async Task Bundled_files_written_to_a_folder_load_into_the_same_tokenizer()
    {
        var folder = Directory.CreateTempSubdirectory("narrator-tok-");
        try
        {
            await BundledTokenizer.WriteToAsync(folder.FullName);
            var fromFile = QwenTokenizer.FromFile(Path.Combine(folder.FullName, BundledTokenizer.TokenizerJsonFileName));
            var golden = GoldenTokenizerCases.All[1];
            Assert.Equal(golden.Ids, fromFile.Encode(golden.Text));
            Assert.Equal(BundledTokenizer.ReadTokenizerConfig(), File.ReadAllBytes(Path.Combine(folder.FullName, BundledTokenizer.TokenizerConfigFileName)));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Missing_tokenizer_file_names_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "narrator-missing", "tokenizer.json");
        var error = Assert.Throws<UserInputException>(() => QwenTokenizer.FromFile(path));
        Assert.StartsWith($"Cannot read the tokenizer file {path}:", error.Message);
    }

    [Theory]
    [InlineData("{ not json", "is not valid JSON")]
    [InlineData("[1,2]", "is not a tokenizer.json: expected a JSON object at the top level.")]
    [InlineData("""{"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}""", "has no Split pre-tokenizer with a regex pattern")]
    [InlineData("""{"model":{"type":"Unigram","vocab":[]}}""", "describes a Unigram model")]
    [InlineData("""{"pre_tokenizer":{"type":"Split","pattern":{"Regex":"\\s+"}},"model":{"type":"BPE","merges":[]}}""", "has no model.vocab")]
    public void Broken_tokenizer_json_is_a_clear_error_naming_the_file(string json, string expected)
    {
        var error = Assert.Throws<UserInputException>(
            () => TokenizerDefinition.Parse(System.Text.Encoding.UTF8.GetBytes(json), "pkg/tokenizer.json"));
        Assert.StartsWith("pkg/tokenizer.json", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Reads_merges_in_the_older_space_separated_form()
    {
        const string json = """
            {"added_tokens":[{"id":3,"content":"<|x|>","special":true}],
             "normalizer":null,
             "pre_tokenizer":{"type":"Split","pattern":{"Regex":"\\s+|\\S+"}},
             "model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]}}
            """;
        var tokenizer = new QwenTokenizer(TokenizerDefinition.Parse(System.Text.Encoding.UTF8.GetBytes(json), "t.json"));
        Assert.Equal([2, 3, 0], tokenizer.Encode("ab<|x|>a"));
    }

    [Fact]
    public void The_bundled_split_pattern_is_the_one_compiled_ahead_of_time()
    {
        var json = System.Text.Encoding.UTF8.GetString(BundledTokenizer.ReadTokenizerJson());
        var definition = TokenizerDefinition.Parse(System.Text.Encoding.UTF8.GetBytes(json), "bundled");
        Assert.Equal(QwenSplitPattern.Qwen2, definition.SplitPattern);
    }

    [Theory]
    [InlineData("""{"added_tokens":[{"content":"<|x|>"}],"pre_tokenizer":{"type":"Split","pattern":{"Regex":"\\S+"}},"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}""",
        "pkg/tokenizer.json: an added_tokens entry lacks an integer id or a content string.")]
    [InlineData("""{"pre_tokenizer":{"type":"Split","pattern":{"Regex":"\\S+"}},"model":{"type":"BPE","vocab":{"a":0,"b":1},"merges":["a c"]}}""",
        "pkg/tokenizer.json does not describe a usable BPE tokenizer: ")]
    public void Inconsistent_tokenizer_json_is_a_clear_error(string json, string expectedStart)
    {
        var error = Assert.Throws<UserInputException>(
            () => new QwenTokenizer(TokenizerDefinition.Parse(System.Text.Encoding.UTF8.GetBytes(json), "pkg/tokenizer.json")));
        Assert.StartsWith(expectedStart, error.Message);
    }
}
