using System.Text;

namespace Narrator.Model.Text;

/// <summary>
/// Builds the Qwen2.5-VL chat prompt: a system turn, a user turn holding one optional image or video block
/// (vision_start, one pad per merged patch, vision_end) followed by the prompt text, then the assistant turn's start.
/// </summary>
public sealed class ChatPrompt
{
    public const string DefaultSystemPrompt = "You are a helpful assistant.";

    private readonly QwenTokenizer _tokenizer;
    private readonly int _spatialMergeSize;
    private readonly int _visionStart;
    private readonly int _visionEnd;
    private readonly int _imagePad;
    private readonly int _videoPad;

    public ChatPrompt(QwenTokenizer tokenizer, int spatialMergeSize = Vision.GridThw.MergeSize)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(spatialMergeSize, 1);
        _tokenizer = tokenizer;
        _spatialMergeSize = spatialMergeSize;
        _visionStart = tokenizer.TokenId(QwenTokens.VisionStart);
        _visionEnd = tokenizer.TokenId(QwenTokens.VisionEnd);
        _imagePad = tokenizer.TokenId(QwenTokens.ImagePad);
        _videoPad = tokenizer.TokenId(QwenTokens.VideoPad);
    }

    /// <summary>Tokenizes the prompt for <paramref name="userText"/> with an optional visual block before it.</summary>
    public PromptTokens Build(string userText, VisualBlock? visual = null, string systemPrompt = DefaultSystemPrompt)
    {
        ArgumentNullException.ThrowIfNull(userText);
        ArgumentNullException.ThrowIfNull(systemPrompt);
        RejectControlTokens(systemPrompt, "system prompt");
        RejectControlTokens(userText, "prompt");

        string head = $"{QwenTokens.ImStart}system\n{systemPrompt}{QwenTokens.ImEnd}\n{QwenTokens.ImStart}user\n";
        string tail = $"{userText}{QwenTokens.ImEnd}\n{QwenTokens.ImStart}assistant\n";
        if (visual is not { } block)
        {
            return new PromptTokens(_tokenizer.Encode(head + tail), 0, -1, null);
        }

        int pads = CountPads(block);
        int[] headIds = _tokenizer.Encode(head);
        int[] tailIds = _tokenizer.Encode(tail);
        var ids = new int[headIds.Length + pads + 2 + tailIds.Length];
        headIds.CopyTo(ids, 0);
        int start = headIds.Length + 1;
        ids[start - 1] = _visionStart;
        ids.AsSpan(start, pads).Fill(block.Kind == Media.MediaKind.Video ? _videoPad : _imagePad);
        ids[start + pads] = _visionEnd;
        tailIds.CopyTo(ids, start + pads + 1);
        return new PromptTokens(ids, pads, start, block.Kind);
    }

    /// <summary>
    /// The same prompt as text with every pad written out (what Hugging Face's processor would tokenize), or, with
    /// <paramref name="countPads"/>, the run of pads written once with its count ("&lt;|video_pad|&gt;×3360") for people to read.
    /// </summary>
    public string Render(string userText, VisualBlock? visual = null, string systemPrompt = DefaultSystemPrompt, bool countPads = false)
    {
        var text = new StringBuilder();
        text.Append(QwenTokens.ImStart).Append("system\n").Append(systemPrompt).Append(QwenTokens.ImEnd).Append('\n');
        text.Append(QwenTokens.ImStart).Append("user\n");
        if (visual is { } block)
        {
            string pad = block.Kind == Media.MediaKind.Video ? QwenTokens.VideoPad : QwenTokens.ImagePad;
            int pads = CountPads(block);
            text.Append(QwenTokens.VisionStart);
            if (countPads)
            {
                text.Append(pad).Append('×').Append(pads.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                text.Insert(text.Length, pad, pads);
            }
            text.Append(QwenTokens.VisionEnd);
        }
        text.Append(userText).Append(QwenTokens.ImEnd).Append('\n').Append(QwenTokens.ImStart).Append("assistant\n");
        return text.ToString();
    }

    private int CountPads(VisualBlock block)
    {
        var grid = block.Grid;
        if (grid.T < 1 || grid.H < 1 || grid.W < 1 || grid.H % _spatialMergeSize != 0 || grid.W % _spatialMergeSize != 0)
        {
            throw new UserInputException(
                $"The visual grid {grid} is not valid: t, h and w must be positive and h, w multiples of {_spatialMergeSize}.");
        }
        return block.TokenCount(_spatialMergeSize);
    }

    // The person's text is data: a control token typed into it would break the turn structure or the pad count.
    private void RejectControlTokens(string text, string what)
    {
        if (text.AsSpan().IndexOf("<|", StringComparison.Ordinal) < 0)
        {
            return;
        }
        foreach (var (content, id) in _tokenizer.AddedTokens)
        {
            if (_tokenizer.IsSpecial(id) && text.Contains(content, StringComparison.Ordinal))
            {
                throw new UserInputException($"The {what} contains the control token \"{content}\"; remove it.");
            }
        }
    }
}
