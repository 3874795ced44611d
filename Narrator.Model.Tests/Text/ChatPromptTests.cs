using Narrator.Model.Media;
using Narrator.Model.Text;
using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Text;

public class ChatPromptTests
{
    private static readonly ChatPrompt Prompt = new(QwenTokenizer.Bundled);

    [Fact]
    public void Video_prompt_matches_the_reference_chat_ids()
    {
        // Golden case: a video block of three pads and the prompt "描述这个视频。".
        var golden = GoldenTokenizerCases.All.Single(c => c.Text.Contains("<|video_pad|>", StringComparison.Ordinal));
        var tokens = Prompt.Build("描述这个视频。", VisualBlock.Video(new GridThw(3, 2, 2), 1.0));
        Assert.Equal(golden.Ids, tokens.Ids);
        Assert.Equal(3, tokens.VisualTokenCount);
        Assert.Equal(15, tokens.VisualTokenStart);
        Assert.Equal(MediaKind.Video, tokens.VisualKind);
    }

    [Fact]
    public void Visual_pad_count_is_t_h_w_over_four()
    {
        var tokens = Prompt.Build("Describe.", VisualBlock.Video(new GridThw(8, 16, 28), 1.0));
        Assert.Equal(8 * 16 * 28 / 4, tokens.VisualTokenCount);
        Assert.Equal(896, tokens.Ids.Count(id => id == 151656));
        Assert.Equal(151652, tokens.Ids[tokens.VisualTokenStart - 1]);
        Assert.Equal(151653, tokens.Ids[tokens.VisualTokenStart + tokens.VisualTokenCount]);
    }

    [Fact]
    public void Image_prompt_uses_image_pads_and_equals_tokenizing_the_rendered_text()
    {
        var image = VisualBlock.Image(new GridThw(1, 20, 28));
        var tokens = Prompt.Build("这张图片里有什么？", image);
        Assert.Equal(140, tokens.VisualTokenCount);
        Assert.Equal(140, tokens.Ids.Count(id => id == 151655));
        Assert.Equal(QwenTokenizer.Bundled.Encode(Prompt.Render("这张图片里有什么？", image)), tokens.Ids);
    }

    [Fact]
    public void Text_only_prompt_has_no_visual_block()
    {
        var tokens = Prompt.Build("Hello, my dog is cute");
        Assert.Equal(0, tokens.VisualTokenCount);
        Assert.Equal(-1, tokens.VisualTokenStart);
        Assert.Null(tokens.VisualKind);
        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHello, my dog is cute<|im_end|>\n<|im_start|>assistant\n",
            QwenTokenizer.Bundled.Decode(tokens.Ids));
    }

    [Fact]
    public void Custom_system_prompt_is_used()
    {
        var tokens = Prompt.Build("Hi", systemPrompt: "你是电影解说员。");
        Assert.StartsWith("<|im_start|>system\n你是电影解说员。<|im_end|>\n", QwenTokenizer.Bundled.Decode(tokens.Ids));
    }

    [Fact]
    public void A_control_token_typed_into_the_prompt_is_rejected()
    {
        var error = Assert.Throws<UserInputException>(() => Prompt.Build("describe <|video_pad|> this"));
        Assert.Equal("The prompt contains the control token \"<|video_pad|>\"; remove it.", error.Message);
    }

    [Fact]
    public void A_grid_that_does_not_merge_2x2_is_rejected()
    {
        var error = Assert.Throws<UserInputException>(() => Prompt.Build("x", VisualBlock.Image(new GridThw(1, 3, 4))));
        Assert.Equal("The visual grid 1x3x4 is not valid: t, h and w must be positive and h, w multiples of 2.", error.Message);
    }
}
