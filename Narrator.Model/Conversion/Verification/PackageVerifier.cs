using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Generation;
using Narrator.Model.Onnx;
using Narrator.Model.Positions;
using Narrator.Model.Text;

namespace Narrator.Model.Conversion.Verification;

/// <summary>
/// <c>narrator verify</c>: runs a package on every case of a transformers reference folder. Vision cases compare the
/// merger output; full cases compare the M-RoPE positions Narrator computes (exactly), the last-position logits after
/// prefill and each greedy run step by step, feeding the reference's token at every step (teacher forcing) so a single
/// near-tie does not hide how the rest of the run agrees.
/// </summary>
public sealed class PackageVerifier(ModelPackage package, ReferenceFolder reference, VerificationTolerance? tolerance = null)
{
    private readonly VerificationTolerance _tolerance = tolerance ?? VerificationTolerance.For(package);

    public VerificationTolerance Tolerance => _tolerance;

    /// <summary>Runs every case; <paramref name="onCase"/> sees each result as it is made.</summary>
    public VerificationReport Run(Action<CaseVerification>? onCase = null, CancellationToken cancellationToken = default)
    {
        var results = new List<CaseVerification>();
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(() => runOptions.Terminate = true);
        foreach (var vision in reference.VisionCases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(Report(VerifyVision(vision, runOptions), onCase));
        }
        foreach (var full in reference.FullCases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(Report(VerifyFull(full, runOptions), onCase));
        }
        return new VerificationReport(_tolerance, results);
    }

    private static CaseVerification Report(CaseVerification result, Action<CaseVerification>? onCase)
    {
        onCase?.Invoke(result);
        return result;
    }

    private CaseVerification VerifyVision(VisionReferenceCase vision, RunOptions runOptions)
    {
        var pixels = reference.ReadFloats(vision.PixelValuesFile, Product(vision.PixelValuesShape));
        var expected = reference.ReadFloats(vision.OutputFile, Product(vision.OutputShape));
        using var features = VisionEncoder.Encode(package, pixels, vision.Grids, runOptions);
        var actual = features.GetTensorDataAsSpan<float>();
        if (actual.Length != expected.Length)
        {
            throw new UserInputException(
                $"Vision case {vision.Name}: the package makes {actual.Length} feature values but the reference holds {expected.Length}; the reference is for another model.");
        }
        double difference = MaxDifference(actual, expected);
        return new CaseVerification
        {
            Name = vision.Name,
            Kind = "vision",
            FeaturesMaxDifference = difference,
            Passed = _tolerance.Features is not { } limit || difference <= limit,
        };
    }

    private CaseVerification VerifyFull(FullReferenceCase full, RunOptions runOptions)
    {
        var model = package.Config.Model;
        var blocks = full.Grid is { } grid
            ? new[] { full.Kind == "video" ? VisualBlock.Video(grid, full.SecondPerGridT ?? 0) : VisualBlock.Image(grid) }
            : [];
        var positions = new RopeIndex(RopeIndexOptions.From(model)).Compute(full.InputIds, blocks);
        int mismatch = FirstDifference(positions.Values, full.PositionIds);
        var prompt = new GeneratorPrompt
        {
            Ids = full.InputIds,
            PositionIds = positions.Values,
            RopeDelta = positions.RopeDelta,
            PixelValues = full.PixelValuesFile is { } file && full.Grid is { } g ? reference.ReadRows(file, g.PatchCount) : null,
            Grid = full.Grid,
        };
        var expected = reference.ReadFloats(full.LastLogitsFile, full.LastLogitsCount);

        double logitsDifference;
        using (var generator = new ModelSequence(package, prompt.Ids.Length))
        {
            generator.Prefill(prompt, runOptions);
            if (generator.Logits.Length != expected.Length)
            {
                throw new UserInputException(
                    $"Full case {full.Name}: the package's vocabulary has {generator.Logits.Length} logits but the reference holds {expected.Length}; the reference is for another model.");
            }
            logitsDifference = MaxDifference(generator.Logits, expected);
        }
        var runs = full.Generations.Select(run => VerifyRun(prompt, run, runOptions)).ToList();
        bool logitsWithin = _tolerance.Logits is not { } limit || logitsDifference <= limit;
        return new CaseVerification
        {
            Name = full.Name,
            Kind = "full",
            FirstPositionMismatch = mismatch,
            LogitsMaxDifference = logitsDifference,
            Runs = runs,
            Passed = mismatch < 0 && logitsWithin && runs.All(r => r.Passed),
        };
    }

    private RunVerification VerifyRun(GeneratorPrompt prompt, ReferenceGeneration run, RunOptions runOptions)
    {
        // The KV cache holds the prompt and every teacher-forced token.
        using var generator = new ModelSequence(package, prompt.Ids.Length + run.NewIds.Length);
        generator.Prefill(prompt, runOptions);
        var sampler = new Sampler(new GenerationOptions { Temperature = 0, RepetitionPenalty = run.RepetitionPenalty }, generator.VocabularySize);
        sampler.Observe(prompt.Ids);
        int agreeing = 0, firstDifference = -1;
        for (int step = 0; step < run.NewIds.Length; step++)
        {
            int ours = sampler.Sample(generator.Logits);
            int theirs = run.NewIds[step];
            if (ours == theirs)
            {
                agreeing++;
            }
            else if (firstDifference < 0)
            {
                firstDifference = step;
            }
            sampler.Observe(theirs);
            if (step + 1 < run.NewIds.Length)
            {
                generator.Append(theirs, runOptions);
            }
        }
        float margin = firstDifference >= 0 && firstDifference < run.Margins.Length ? run.Margins[firstDifference] : float.NaN;
        bool passed = !_tolerance.IsGated || firstDifference < 0
            || (!_tolerance.ExactIds && margin <= 2 * _tolerance.Logits!.Value);
        return new RunVerification(run.Name, run.NewIds.Length, agreeing, firstDifference, margin, passed);
    }

    private static int FirstDifference(ReadOnlySpan<long> actual, ReadOnlySpan<long> expected)
    {
        int length = Math.Min(actual.Length, expected.Length);
        for (int i = 0; i < length; i++)
        {
            if (actual[i] != expected[i])
            {
                return i;
            }
        }
        return actual.Length == expected.Length ? -1 : length;
    }

    private static double MaxDifference(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(difference))
            {
                return double.PositiveInfinity;
            }
            max = Math.Max(max, difference);
        }
        return max;
    }

    private static long Product(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);
}
