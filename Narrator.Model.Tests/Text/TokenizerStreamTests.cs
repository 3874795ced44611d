using System.Text;
using Narrator.Model.Text;

namespace Narrator.Model.Tests.Text;

public class TokenizerStreamTests
{
    private static QwenTokenizer Tokenizer => QwenTokenizer.Bundled;

    public static TheoryData<int> GoldenIndices => GoldenTokenizerCases.Indices(GoldenTokenizerCases.All);

    [Theory]
    [MemberData(nameof(GoldenIndices))]
    public void Streaming_golden_ids_one_by_one_concatenates_to_the_decoded_text_without_replacement_characters(int index)
    {
        var golden = GoldenTokenizerCases.All[index];
        var stream = Tokenizer.CreateStream(skipSpecialTokens: false);
        var text = new StringBuilder();
        foreach (int id in golden.Ids)
        {
            string piece = stream.Decode(id);
            Assert.DoesNotContain('\uFFFD', piece);
            AssertWholeCharacters(piece);
            text.Append(piece);
        }
        text.Append(stream.Flush());
        Assert.Equal(Tokenizer.Decode(golden.Ids), text.ToString());
        Assert.Equal(golden.Text, text.ToString());
    }

    [Fact]
    public void Holds_back_an_emoji_split_over_three_tokens_until_it_is_complete()
    {
        // "emoji 🎬🎥": 🎬 is the bytes F0 9F 8E AC spread over ids 11162 (" \xF0\x9F"), 236 (\x8E) and 105 (\xAC).
        var stream = Tokenizer.CreateStream();
        Assert.Equal("emoji", stream.Decode(37523));
        Assert.Equal(" ", stream.Decode(11162));
        Assert.Equal("", stream.Decode(236));
        Assert.Equal("🎬", stream.Decode(105));
        Assert.Equal("🎥", stream.Decode(145794));
        Assert.Equal("", stream.Flush());
    }

    [Theory]
    [InlineData(151669)]
    [InlineData(151681)]
    [InlineData(151935)]
    public void A_model_row_with_no_token_text_decodes_to_nothing(int id)
    {
        // Qwen2.5-VL's 151936 logits run past the tokenizer's 151669 ids; hf-tiny's random model emits 151681 (video_spg0.5, rp 1.05).
        var stream = Tokenizer.CreateStream();
        Assert.Equal("Hello", stream.Decode(9707));
        Assert.Equal("", stream.Decode(id));
        Assert.Equal(" world", stream.Decode(1879));
        Assert.Equal("Hello world", Tokenizer.Decode([9707, id, 1879]));
        Assert.Equal("", Tokenizer.CreateStream(skipSpecialTokens: false).Decode(id));
    }

    [Fact]
    public void Chinese_characters_come_out_whole()
    {
        const string text = "镜头缓缓推近，画面中央的男子身穿深蓝色西装，神情严肃。";
        int[] ids = Tokenizer.Encode(text);
        var stream = Tokenizer.CreateStream();
        var pieces = new List<string>();
        foreach (int id in ids)
        {
            pieces.Add(stream.Decode(id));
        }
        pieces.Add(stream.Flush());
        Assert.All(pieces, piece => Assert.DoesNotContain('\uFFFD', piece));
        Assert.Equal(text, string.Concat(pieces));
    }

    [Fact]
    public void Flush_drops_an_incomplete_character_instead_of_a_replacement()
    {
        var stream = Tokenizer.CreateStream();
        Assert.Equal(" ", stream.Decode(11162));
        Assert.Equal("", stream.Decode(236));
        Assert.Equal("", stream.Flush());
    }

    [Fact]
    public void Bytes_that_can_never_form_utf8_are_dropped()
    {
        var stream = Tokenizer.CreateStream();
        // id 236 is the lone continuation byte 0x8E: invalid on its own.
        Assert.Equal("", stream.Decode(236));
        Assert.Equal("a", stream.Decode(Tokenizer.TokenId("a")));
        Assert.Equal("", stream.Flush());
    }

    [Fact]
    public void Control_tokens_are_skipped_by_default_and_written_when_asked()
    {
        int[] ids = Tokenizer.Encode("好<|im_end|>");
        var skipping = Tokenizer.CreateStream();
        Assert.Equal("好", string.Concat(ids.Select(skipping.Decode)) + skipping.Flush());
        var keeping = Tokenizer.CreateStream(skipSpecialTokens: false);
        Assert.Equal("好<|im_end|>", string.Concat(ids.Select(keeping.Decode)) + keeping.Flush());
    }

    [Fact]
    public void A_control_token_in_the_middle_of_a_character_drops_the_partial_bytes()
    {
        var stream = Tokenizer.CreateStream(skipSpecialTokens: false);
        Assert.Equal(" ", stream.Decode(11162));
        Assert.Equal("<|im_end|>", stream.Decode(151645));
        Assert.Equal("", stream.Decode(105));
    }

    private static void AssertWholeCharacters(string piece)
    {
        for (int i = 0; i < piece.Length; i++)
        {
            if (char.IsHighSurrogate(piece[i]))
            {
                Assert.True(i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]), "a piece ends inside a surrogate pair");
                i++;
            }
            else
            {
                Assert.False(char.IsLowSurrogate(piece[i]), "a piece starts inside a surrogate pair");
            }
        }
    }
}
