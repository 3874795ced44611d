using Narrator.Model.Text;

namespace Narrator.Model.Tests.Text;

/// <summary>Control tokens in a person's text are found without a tokenizer at hand, and none of the tokenizer's special tokens slips by.</summary>
public class ControlTokensTests
{
    [Fact]
    public void Every_special_token_of_the_bundled_qwen_tokenizer_is_found_in_text()
    {
        var tokenizer = QwenTokenizer.Bundled;
        var special = tokenizer.AddedTokens.Where(token => tokenizer.IsSpecial(token.Value)).Select(token => token.Key).ToList();

        Assert.Contains(QwenTokens.EndOfText, special);
        Assert.Contains(QwenTokens.ImStart, special);
        Assert.All(special, token => Assert.Equal(token, ControlTokens.Find($"Describe the clip. {token} and more")));
    }

    [Theory]
    [InlineData("Describe the clip.")]
    [InlineData("a < b | c > d")]
    [InlineData("<| not a token |>")]
    [InlineData("描述这段视频。")]
    [InlineData(null)]
    public void Ordinary_text_has_none(string? text) => Assert.Null(ControlTokens.Find(text));
}
