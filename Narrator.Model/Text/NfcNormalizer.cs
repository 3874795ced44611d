using System.Text;
using Microsoft.ML.Tokenizers;

namespace Narrator.Model.Text;

/// <summary>Unicode NFC, the normaliser Qwen2/2.5 tokenizer.json declares (Microsoft.ML.Tokenizers has none built in).</summary>
public sealed class NfcNormalizer : Normalizer
{
    public static NfcNormalizer Instance { get; } = new();

    public override string Normalize(string original) =>
        original.IsNormalized(NormalizationForm.FormC) ? original : original.Normalize(NormalizationForm.FormC);

    public override string Normalize(ReadOnlySpan<char> original) =>
        original.IsNormalized(NormalizationForm.FormC) ? original.ToString() : original.ToString().Normalize(NormalizationForm.FormC);
}
