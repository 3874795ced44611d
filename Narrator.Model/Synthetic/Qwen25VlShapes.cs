using Narrator.Model.Conversion.Checkpoint;

namespace Narrator.Model.Synthetic;

/// <summary>
/// The config.json settings of the published Qwen2.5-VL-3B-Instruct and -7B-Instruct checkpoints, for random checkpoints
/// at their real shapes; optionally with fewer text layers or vision blocks so a benchmark fits a small machine.
/// </summary>
public static class Qwen25VlShapes
{
    public static IReadOnlyList<string> Names { get; } = ["3b", "7b"];

    /// <summary>Qwen2.5-VL-3B-Instruct: the LM head is the embedding table (tie_word_embeddings true: no lm_head.weight tensor).</summary>
    public static Qwen25VlConfig ThreeB { get; } = new()
    {
        Text = new Qwen25VlTextConfig
        {
            HiddenSize = 2048, Layers = 36, AttentionHeads = 16, KeyValueHeads = 2, IntermediateSize = 11008, VocabSize = 151936,
            MropeSection = [16, 24, 24], MaxPositionEmbeddings = 128000, TieWordEmbeddings = true, SlidingWindow = 32768,
        },
        Vision = SevenBVision(outHidden: 2048),
        EosTokenIds = [151645],
    };

    /// <summary>Qwen2.5-VL-7B-Instruct (../shared/CONVERSION.md §1).</summary>
    public static Qwen25VlConfig SevenB { get; } = new()
    {
        Text = new Qwen25VlTextConfig
        {
            HiddenSize = 3584, Layers = 28, AttentionHeads = 28, KeyValueHeads = 4, IntermediateSize = 18944, VocabSize = 152064,
            MropeSection = [16, 24, 24], MaxPositionEmbeddings = 128000, TieWordEmbeddings = false, SlidingWindow = 32768,
        },
        Vision = SevenBVision(outHidden: 3584),
        EosTokenIds = [151645],
    };

    /// <summary>"3b" or "7b"; anything else is a <see cref="UserInputException"/> naming the choices.</summary>
    public static Qwen25VlConfig Named(string name) => name.ToLowerInvariant() switch
    {
        "3b" => ThreeB,
        "7b" => SevenB,
        _ => throw new UserInputException($"--shape {name} is not known: use {string.Join(" or ", Names)}."),
    };

    /// <summary>
    /// The same widths with <paramref name="layers"/> text layers and <paramref name="visionDepth"/> vision blocks (null keeps
    /// the published number). Full-attention blocks keep their indexes below the new depth; if none is left the last block
    /// is one, so a reduced tower still has both kinds of block.
    /// </summary>
    public static Qwen25VlConfig Reduced(Qwen25VlConfig config, int? layers, int? visionDepth)
    {
        if (layers is < 1 || layers > config.Text.Layers)
        {
            throw new UserInputException($"--layers must be between 1 and {config.Text.Layers} (got {layers}).");
        }
        if (visionDepth is < 1 || visionDepth > config.Vision.Depth)
        {
            throw new UserInputException($"--vision-depth must be between 1 and {config.Vision.Depth} (got {visionDepth}).");
        }
        int depth = visionDepth ?? config.Vision.Depth;
        int[] full = [.. config.Vision.FullAttentionBlocks.Where(b => b < depth)];
        return config with
        {
            Text = config.Text with { Layers = layers ?? config.Text.Layers },
            Vision = config.Vision with { Depth = depth, FullAttentionBlocks = full.Length > 0 ? full : [depth - 1] },
        };
    }

    /// <summary>Both sizes share the 7B vision tower; only the merger's output width follows the text model.</summary>
    private static Qwen25VlVisionConfig SevenBVision(int outHidden) => new()
    {
        Depth = 32, HiddenSize = 1280, IntermediateSize = 3420, Heads = 16, OutHiddenSize = outHidden, WindowSize = 112,
        FullAttentionBlocks = [7, 15, 23, 31], TokensPerSecond = 2,
    };
}
