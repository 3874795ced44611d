namespace Narrator.Model.Conversion;

/// <summary>How the text model (embedding and decoder) is stored and computed; the vision tower has its own precision.</summary>
public enum TextPrecision
{
    /// <summary>fp32 weights and activations: matches transformers within 1e-4; runs on every provider.</summary>
    Fp32,

    /// <summary>fp16 weights, activations and KV cache (norms, rotary and residual stream in fp32); CUDA, and the CPU provider too.</summary>
    Fp16,

    /// <summary>bf16 weights, activations and KV cache (norms, rotary and residual stream in fp32); CUDA only: ONNX Runtime's CPU provider has no bf16 MatMul, Add or attention.</summary>
    Bf16,

    /// <summary>4-bit weights (MatMulNBits, round-to-nearest with a scale per block), activations as <see cref="Int4Options.Activations"/>.</summary>
    Int4,
}

/// <summary>Element type of the activations of an int4 package: fp32 for the CPU provider, fp16 for CUDA (whose GroupQueryAttention takes fp16/bf16 only).</summary>
public enum Int4Activations
{
    Fp32,
    Fp16,
}

/// <summary>Settings of the int4 (MatMulNBits) weights.</summary>
public sealed record Int4Options
{
    public static readonly int[] BlockSizes = [32, 64, 128];

    /// <summary>Weights per scale along the input dimension (32, 64 or 128).</summary>
    public int BlockSize { get; init; } = 32;

    /// <summary>MatMulNBits accuracy_level: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 (how the CPU may quantise the activations internally).</summary>
    public int AccuracyLevel { get; init; } = 4;

    public Int4Activations Activations { get; init; } = Int4Activations.Fp32;
}

/// <summary>
/// How the decoder attends in a decode step (one new token); prefill chunks always use GroupQueryAttention, whose causal
/// kernel they need. <see cref="ConversionOptions.EffectiveDecodeAttention"/> picks the default.
/// </summary>
public enum DecodeStepAttention
{
    /// <summary>GroupQueryAttention for every run: CUDA's flash kernel reads each KV head once (fp16/bf16 packages keep exactly these ops).</summary>
    GroupQueryAttention,

    /// <summary>
    /// On one token, an If runs the query heads of each KV head as one product over the whole KV buffer (k and v written
    /// in place with ScatterND, scores sliced to the filled length, softmax, zero-padded, · V): ONNX Runtime's CPU
    /// GroupQueryAttention reads each KV head once per query head instead. fp32 activations only.
    /// </summary>
    GroupedHeads,
}
