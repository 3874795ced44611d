using System.Globalization;
using System.Text;

namespace Narrator.Model.Conversion.Verification;

/// <summary>The outcome of one reference case; <see cref="Line"/> is what <c>narrator verify</c> prints for it.</summary>
public sealed record CaseVerification
{
    public required string Name { get; init; }

    /// <summary>"vision" or "full".</summary>
    public required string Kind { get; init; }

    public double? FeaturesMaxDifference { get; init; }

    /// <summary>Null when the case has no positions to compare; otherwise -1 when identical, else the first differing token.</summary>
    public int? FirstPositionMismatch { get; init; }

    public double? LogitsMaxDifference { get; init; }

    public IReadOnlyList<RunVerification> Runs { get; init; } = [];

    public required bool Passed { get; init; }

    public string Line
    {
        get
        {
            var parts = new List<string>();
            if (FeaturesMaxDifference is { } features)
            {
                parts.Add(Format($"features max|Δ| {features:0.0E+0}"));
            }
            if (FirstPositionMismatch is { } mismatch)
            {
                parts.Add(mismatch < 0 ? "positions identical" : $"positions differ at token {mismatch}");
            }
            if (LogitsMaxDifference is { } logits)
            {
                parts.Add(Format($"logits max|Δ| {logits:0.0E+0}"));
            }
            parts.AddRange(Runs.Select(r => r.Text));
            return $"{(Passed ? "ok  " : "FAIL")} {Kind}/{Name}: {string.Join(" · ", parts)}";
        }
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One greedy run compared step by step, each step fed the reference's token (teacher forcing).</summary>
public sealed record RunVerification(string Name, int Steps, int Agreeing, int FirstDifferingStep, float MarginAtFirstDifference, bool Passed)
{
    public string Text => FirstDifferingStep < 0
        ? $"{Name} ids identical ({Steps}/{Steps})"
        : string.Create(CultureInfo.InvariantCulture,
            $"{Name} first differs at step {FirstDifferingStep} (reference margin {MarginAtFirstDifference:G3}), top-1 agreement {Agreeing}/{Steps}");
}

/// <summary>Every case of a verification and the verdict.</summary>
public sealed record VerificationReport(VerificationTolerance Tolerance, IReadOnlyList<CaseVerification> Cases)
{
    public bool Passed => Cases.All(c => c.Passed);

    public int TopOneAgreeing => Cases.SelectMany(c => c.Runs).Sum(r => r.Agreeing);

    public int TopOneSteps => Cases.SelectMany(c => c.Runs).Sum(r => r.Steps);

    public string Summary
    {
        get
        {
            var text = new StringBuilder();
            int passed = Cases.Count(c => c.Passed);
            text.Append(CultureInfo.InvariantCulture, $"summary: {passed}/{Cases.Count} cases within tolerance ({Tolerance})");
            if (TopOneSteps > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"; greedy top-1 agreement {TopOneAgreeing}/{TopOneSteps} ({100.0 * TopOneAgreeing / TopOneSteps:F1}%)");
            }
            return text.ToString();
        }
    }
}
