using Narrator.Model.Conversion.Checkpoint;

namespace Narrator.Model.Conversion.Demo;

/// <summary>
/// Sizes of a random-weight Qwen2.5-VL checkpoint (the demo model's, a test's, a benchmark's). The defaults are
/// hf-tiny's: the real architecture and the full Qwen vocabulary at widths that run anywhere in milliseconds.
/// </summary>
public sealed record RandomCheckpointSpec
{
    public int VocabSize { get; init; } = 151936;

    public int HiddenSize { get; init; } = 64;

    public int Layers { get; init; } = 2;

    public int AttentionHeads { get; init; } = 4;

    public int KeyValueHeads { get; init; } = 2;

    public int IntermediateSize { get; init; } = 128;

    /// <summary>Rotary frequencies per axis (t, h, w); they sum to half the head size.</summary>
    public int[] MropeSection { get; init; } = [2, 3, 3];

    public double RopeTheta { get; init; } = 1_000_000;

    public int MaxPositionEmbeddings { get; init; } = 32768;

    public int VisionDepth { get; init; } = 4;

    public int VisionHiddenSize { get; init; } = 32;

    public int VisionHeads { get; init; } = 2;

    public int VisionIntermediateSize { get; init; } = 64;

    /// <summary>Attention window edge in pixels (112 = 4 merged units).</summary>
    public int WindowSize { get; init; } = 112;

    public int[] FullAttentionBlocks { get; init; } = [1, 3];

    public double TokensPerSecond { get; init; } = 2;

    /// <summary>One table for the embedding and the LM head (Qwen2.5-VL-3B does this; the checkpoint then has no lm_head.weight).</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>&lt;|im_end|&gt; and &lt;|endoftext|&gt;, as generation_config.json lists them.</summary>
    public long[] EosTokenIds { get; init; } = [151645, 151643];

    /// <summary>
    /// Keeps ids from <see cref="FirstSpecialTokenId"/> up (control tokens and rows with no text) out of reach, eos
    /// excepted, so random weights still write decodable text: residual dimension <c>hidden - 1</c> holds a constant
    /// (set by every embedding and vision feature row; no layer writes to it) and the LM head rows of those ids weigh it
    /// strongly negative.
    /// </summary>
    public bool KeepTextDecodable { get; init; }

    public long FirstSpecialTokenId { get; init; } = 151643;

    public int HeadSize => HiddenSize / AttentionHeads;

    /// <summary>The settings config.json holds for these sizes (read back through <see cref="Qwen25VlConfig.Parse"/> like a download).</summary>
    public Qwen25VlConfig ToConfig() => new()
    {
        Text = new Qwen25VlTextConfig
        {
            HiddenSize = HiddenSize,
            Layers = Layers,
            AttentionHeads = AttentionHeads,
            KeyValueHeads = KeyValueHeads,
            IntermediateSize = IntermediateSize,
            VocabSize = VocabSize,
            RopeTheta = RopeTheta,
            MropeSection = MropeSection,
            MaxPositionEmbeddings = MaxPositionEmbeddings,
            TieWordEmbeddings = TieWordEmbeddings,
            // As the published checkpoints: a window size that use_sliding_window turns off.
            SlidingWindow = 32768,
        },
        Vision = new Qwen25VlVisionConfig
        {
            Depth = VisionDepth,
            HiddenSize = VisionHiddenSize,
            IntermediateSize = VisionIntermediateSize,
            Heads = VisionHeads,
            OutHiddenSize = HiddenSize,
            WindowSize = WindowSize,
            FullAttentionBlocks = FullAttentionBlocks,
            TokensPerSecond = TokensPerSecond,
        },
    };
}
