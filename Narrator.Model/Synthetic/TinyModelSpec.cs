using Microsoft.ML.OnnxRuntime.Tensors;

namespace Narrator.Model.Synthetic;

/// <summary>
/// Shape of the tiny random-weight Qwen2.5-VL-style package: small enough to write in a second and run anywhere,
/// but with every structural feature of the real model (GQA, M-RoPE sections, full Qwen vocabulary).
/// </summary>
public sealed record TinyModelSpec
{
    public int VocabSize { get; init; } = 151936;

    public int HiddenSize { get; init; } = 64;

    public int Layers { get; init; } = 2;

    public int AttentionHeads { get; init; } = 4;

    public int KeyValueHeads { get; init; } = 2;

    public int HeadSize { get; init; } = 16;

    public int IntermediateSize { get; init; } = 128;

    /// <summary>Rank of the factorised token embedding and LM head (vocab x hidden fp32 tables would not fit the size budget).</summary>
    public int EmbeddingRank { get; init; } = 16;

    /// <summary>Width of the vision tower before the 2x2 merge.</summary>
    public int VisionWidth { get; init; } = 32;

    /// <summary>Frequencies per M-RoPE axis (t, h, w) over head_size/2, as Qwen2.5-VL's mrope_section.</summary>
    public int[] MropeSection { get; init; } = [2, 3, 3];

    /// <summary>Small theta so every section rotates noticeably over a few positions (Qwen uses 1e6 with head size 128).</summary>
    public float RopeTheta { get; init; } = 100f;

    public float RmsNormEpsilon { get; init; } = 1e-6f;

    /// <summary>Values per pixel_values row: 3 channels x 2 frames x 14 x 14.</summary>
    public int PatchInputSize => 3 * GridThwPatchVolume;

    public int ContextLength { get; init; } = 32768;

    /// <summary>Element type of past/present KV tensors: Float (default), Float16 or BFloat16; any other type makes a deliberately unsupported package (tests).</summary>
    public TensorElementType KvElementType { get; init; } = TensorElementType.Float;

    public long ImageTokenId { get; init; } = 151655;

    public long VideoTokenId { get; init; } = 151656;

    public long VisionStartTokenId { get; init; } = 151652;

    /// <summary>Qwen's &lt;|im_end|&gt; and &lt;|endoftext|&gt;.</summary>
    public long[] EosTokenIds { get; init; } = [151645, 151643];

    /// <summary>First id after the ordinary BPE vocabulary; the tiny LM head keeps special and unused ids (except eos) out of reach.</summary>
    public long FirstSpecialTokenId { get; init; } = 151643;

    private const int GridThwPatchVolume = 2 * 14 * 14;
}
