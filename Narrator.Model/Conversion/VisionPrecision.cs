namespace Narrator.Model.Conversion;

/// <summary>
/// Number format of the vision graph's weights and activations. RMSNorm statistics, rotary and softmax run in fp32
/// whatever is chosen; the graph's inputs and its image_features output are always fp32.
/// </summary>
public enum VisionPrecision
{
    /// <summary>Runs on the CPU and CUDA providers; what transformers computes to about 1e-5.</summary>
    Fp32,

    /// <summary>
    /// Refused: Qwen2.5-VL's vision tower overflows fp16's range (±65504) in its later blocks (transformers issue #33294).
    /// </summary>
    Fp16,

    /// <summary>Half the weights of fp32 and bf16 tensor cores; needs the CUDA provider (the CPU provider has no bf16 Gemm).</summary>
    Bf16,
}
