namespace Narrator.Model.Generation;

/// <summary>
/// The number formats a loaded model runs in, as the page and /readyz show them: "fp32", "fp16", "bf16" or "int4"
/// (MatMulNBits weights, block size given).
/// </summary>
public sealed record ModelPrecision(string Vision, string Decoder, string KvCache)
{
    public override string ToString() => $"vision {Vision}, decoder {Decoder}, KV cache {KvCache}";
}
