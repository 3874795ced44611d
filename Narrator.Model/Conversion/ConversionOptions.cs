using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Conversion;

/// <summary>What <c>narrator convert</c> makes of a checkpoint.</summary>
public sealed record ConversionOptions
{
    public TextPrecision Precision { get; init; } = TextPrecision.Fp32;

    public VisionPrecision VisionPrecision { get; init; } = VisionPrecision.Fp32;

    public Int4Options Int4 { get; init; } = new();

    /// <summary>The decode step's attention; null lets <see cref="EffectiveDecodeAttention"/> choose by activation type.</summary>
    public DecodeStepAttention? DecodeAttention { get; init; }

    /// <summary>
    /// The one place the default is decided: grouped heads for fp32 activations (the CPU packages, fp32 and int4), where
    /// ONNX Runtime's CPU GroupQueryAttention re-reads each KV head per query head; GroupQueryAttention for fp16/bf16
    /// activations (the CUDA packages), whose flash kernel does not.
    /// </summary>
    public DecodeStepAttention EffectiveDecodeAttention => DecodeAttention
        ?? (OnnxElementTypes.Activations(Precision, Int4) == DataType.Float ? DecodeStepAttention.GroupedHeads : DecodeStepAttention.GroupQueryAttention);

    /// <summary>Replace an existing output folder (otherwise a non-empty one is refused).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Marks the package as Narrator's random-weight demo model (the loader then says its text is meaningless).</summary>
    public bool DemoModel { get; init; }
}
