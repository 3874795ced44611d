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

    /// <summary>Qwen2.5-VL-3B-Instruct's sizes (config.json on the Hub): its LM head is the embedding table, so the checkpoint has no lm_head.weight.</summary>
    public static RandomCheckpointSpec ThreeB { get; } = SevenBVision() with
    {
        VocabSize = 151936, HiddenSize = 2048, Layers = 36, AttentionHeads = 16, KeyValueHeads = 2, IntermediateSize = 11008,
        TieWordEmbeddings = true,
    };

    /// <summary>Qwen2.5-VL-7B-Instruct's sizes (the team's CONVERSION.md, section 1: Hugging Face config.json of Qwen2.5-VL-7B-Instruct).</summary>
    public static RandomCheckpointSpec SevenB { get; } = SevenBVision() with
    {
        VocabSize = 152064, HiddenSize = 3584, Layers = 28, AttentionHeads = 28, KeyValueHeads = 4, IntermediateSize = 18944,
    };

    public static IReadOnlyList<string> ShapeNames { get; } = ["3b", "7b"];

    /// <summary>"3b" or "7b"; anything else is a <see cref="UserInputException"/> naming the choices.</summary>
    public static RandomCheckpointSpec Named(string shape) => shape.ToLowerInvariant() switch
    {
        "3b" => ThreeB,
        "7b" => SevenB,
        _ => throw new UserInputException($"--shape {shape} is not known: use {string.Join(" or ", ShapeNames)}."),
    };

    /// <summary>
    /// The same widths with <paramref name="layers"/> text layers and <paramref name="visionDepth"/> vision blocks (null keeps
    /// the number). Full-attention blocks keep their indexes below the new depth; if none is left the last block is one, so a
    /// reduced tower still has both kinds of block.
    /// </summary>
    public RandomCheckpointSpec Reduced(int? layers, int? visionDepth)
    {
        if (layers is < 1 || layers > Layers)
        {
            throw new UserInputException($"--layers must be between 1 and {Layers} (got {layers}).");
        }
        if (visionDepth is < 1 || visionDepth > VisionDepth)
        {
            throw new UserInputException($"--vision-depth must be between 1 and {VisionDepth} (got {visionDepth}).");
        }
        int depth = visionDepth ?? VisionDepth;
        int[] full = [.. FullAttentionBlocks.Where(b => b < depth)];
        return this with { Layers = layers ?? Layers, VisionDepth = depth, FullAttentionBlocks = full.Length > 0 ? full : [depth - 1] };
    }

    /// <summary>What 3B and 7B share: the vision tower (32 blocks of 1280), M-RoPE sections, context settings.</summary>
    private static RandomCheckpointSpec SevenBVision() => new()
    {
        MropeSection = [16, 24, 24],
        MaxPositionEmbeddings = 128000,
        VisionDepth = 32,
        VisionHiddenSize = 1280,
        VisionHeads = 16,
        VisionIntermediateSize = 3420,
        WindowSize = 112,
        FullAttentionBlocks = [7, 15, 23, 31],
    };
}
