namespace Narrator.Model.Text;

/// <summary>The Qwen2/2.5-VL control tokens the chat prompt is built from, by their text.</summary>
public static class QwenTokens
{
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";
    public const string EndOfText = "<|endoftext|>";
    public const string VisionStart = "<|vision_start|>";
    public const string VisionEnd = "<|vision_end|>";
    public const string ImagePad = "<|image_pad|>";
    public const string VideoPad = "<|video_pad|>";
}
