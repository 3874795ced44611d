using System.CommandLine;
using Narrator.Model;
using Narrator.Model.Conversion.Verification;
using Narrator.Model.Onnx;

namespace Narrator.Cli.Commands;

/// <summary>
/// <c>narrator verify PACKAGE --reference DIR</c>: runs a model package on a folder of transformers reference outputs
/// (docs/MODEL.md shows how to make one) and prints one line per case and a summary. Exit 0 when every case is within
/// the package precision's tolerance, 1 when one is not, 2 for unusable input.
/// </summary>
internal static class VerifyCommand
{
    public const int OutsideTolerance = 1;

    public static Command Create()
    {
        var package = new Argument<string>("package") { Description = "Model package folder (what narrator convert wrote)." };
        var reference = new Option<string>("--reference")
        {
            HelpName = "DIR",
            Description = "Reference folder: vision/<case>/case.json and full/<case>/case.json with transformers' outputs.",
            Required = true,
        };
        var provider = new Option<string>("--provider")
        {
            Description = "Execution provider: auto (CUDA if available, else CPU), cuda, or cpu.",
            DefaultValueFactory = _ => "auto",
        };
        provider.AcceptOnlyFromAmong("auto", "cuda", "cpu");
        var logitsTolerance = FrameOptionArguments.Number("--logits-tolerance",
            "Largest accepted |difference| of a logit (default by precision, measured on hf-tiny: fp32 1e-4, fp16 0.02, bf16 0.25; a larger model accumulates more rounding).");
        var featuresTolerance = FrameOptionArguments.Number("--features-tolerance",
            "Largest accepted |difference| of a vision feature (default 1e-4 for an fp32 vision tower, 0.05 for bf16).");
        var command = new Command("verify",
            "Check a converted model package against transformers' outputs: vision features, M-RoPE positions, last-position logits and greedy generations.");
        command.Arguments.Add(package);
        command.Options.Add(reference);
        command.Options.Add(provider);
        command.Options.Add(logitsTolerance);
        command.Options.Add(featuresTolerance);
        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var folder = ReferenceFolder.Open(parseResult.GetValue(reference)!);
            var options = new ExecutionProviderOptions { Provider = Enum.Parse<ExecutionProviderKind>(parseResult.GetValue(provider)!, ignoreCase: true) };
            using var model = ModelPackage.Open(parseResult.GetValue(package)!, options);
            foreach (var (option, value) in new[] { ("--logits-tolerance", parseResult.GetValue(logitsTolerance)), ("--features-tolerance", parseResult.GetValue(featuresTolerance)) })
            {
                if (value is <= 0 or double.NaN)
                {
                    throw new UserInputException($"{option} must be a positive number, not {value}.");
                }
            }
            var tolerance = VerificationTolerance.For(model);
            if (tolerance.IsGated)
            {
                tolerance = tolerance.With(parseResult.GetValue(featuresTolerance), parseResult.GetValue(logitsTolerance));
            }
            var verifier = new PackageVerifier(model, folder, tolerance);
            await stderr.WriteLineAsync(
                $"verifying {model.Directory} on {model.Provider.Provider} against {folder.Directory}: {folder.VisionCases.Count} vision and {folder.FullCases.Count} full cases ({verifier.Tolerance})");
            var report = await Task.Run(() => verifier.Run(result =>
            {
                stdout.WriteLine(result.Line);
                stdout.Flush();
            }, cancellationToken), cancellationToken);
            await stdout.WriteLineAsync(report.Summary);
            return report.Passed ? 0 : OutsideTolerance;
        });
        return command;
    }
}
