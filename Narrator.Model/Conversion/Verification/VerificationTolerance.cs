using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model.Onnx;

namespace Narrator.Model.Conversion.Verification;

/// <summary>
/// What <c>narrator verify</c> accepts for a package, by its precision (docs/MODEL.md gives the measurements behind the
/// numbers). fp32 must match transformers to 1e-4 with identical greedy ids; fp16 and bf16 have measured logit
/// tolerances and may part from the reference only at a step whose top-1/top-2 margin is within twice that tolerance
/// (a near-tie the precision cannot resolve); int4 is reported (top-1 agreement) but not gated.
/// </summary>
public sealed record VerificationTolerance(string Precision, double? Features, double? Logits, bool ExactIds)
{
    /// <summary>fp32 vision features (the vision tower at fp32 in every text precision unless converted at bf16).</summary>
    public const double Fp32 = 1e-4;

    /// <summary>fp16 text model: last-position logits, measured on hf-tiny at 6.0e-3 (docs/MODEL.md).</summary>
    public const double Fp16Logits = 2e-2;

    /// <summary>bf16 text model: last-position logits, measured with bf16 rounding emulated on the CPU at 0.16 (docs/MODEL.md).</summary>
    public const double Bf16Logits = 0.25;

    /// <summary>bf16 vision tower: merger outputs (|values| up to ~2.4 on hf-tiny), measured with bf16 rounding emulated on the CPU.</summary>
    public const double Bf16Features = 5e-2;

    public bool IsGated => Logits is not null;

    /// <summary>The tolerance of <paramref name="package"/>'s precision (from the converter's metadata, else its KV type).</summary>
    public static VerificationTolerance For(ModelPackage package)
    {
        package.Decoder.ModelMetadata.CustomMetadataMap.TryGetValue(CheckpointConverter.PrecisionKey, out string? precision);
        precision ??= package.KvElementType switch
        {
            TensorElementType.Float16 => "fp16",
            TensorElementType.BFloat16 => "bf16",
            _ => "fp32",
        };
        return For(precision, package.Config.Model.Vision.Precision == "bf16");
    }

    /// <summary>The tolerance of a text precision ("fp32", "fp16", "bf16", "int4") with a bf16 or fp32 vision tower.</summary>
    public static VerificationTolerance For(string precision, bool bf16Vision)
    {
        double features = bf16Vision ? Bf16Features : Fp32;
        return precision switch
        {
            "fp32" => new VerificationTolerance(precision, features, Fp32, ExactIds: true),
            "fp16" => new VerificationTolerance(precision, features, Fp16Logits, ExactIds: false),
            "bf16" => new VerificationTolerance(precision, features, Bf16Logits, ExactIds: false),
            _ => new VerificationTolerance(precision, null, null, ExactIds: false),
        };
    }

    /// <summary>This tolerance with other limits (a larger model than hf-tiny accumulates more rounding; docs/MODEL.md).</summary>
    public VerificationTolerance With(double? features, double? logits) =>
        this with { Features = features ?? Features, Logits = logits ?? Logits };

    public override string ToString() => IsGated
        ? $"{Precision}: features {Features:G2}, logits {Logits:G2}, {(ExactIds ? "identical ids" : $"identical ids except at margins below {2 * Logits:G2}")}"
        : $"{Precision}: reported, not gated";
}
