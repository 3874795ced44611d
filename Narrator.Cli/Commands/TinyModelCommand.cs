using System.CommandLine;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Demo;

namespace Narrator.Cli.Commands;

/// <summary><c>narrator tiny-model --out DIR [--seed N] [--precision P]</c>: writes the random-weight demo model package.</summary>
internal static class TinyModelCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out")
        {
            HelpName = "DIR",
            Description = "Folder to write the package into (created; an existing package there is replaced).",
            Required = true,
        };
        var seed = new Option<int?>("--seed")
        {
            Description = "Seed of the random weights (default 0); the same seed writes the same bytes.",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
                result.AddError($"--seed expects a whole number, not '{text}'.");
                return null;
            },
        };
        var precision = new Option<string>("--precision")
        {
            Description = "Text model precision of the package: fp32, fp16, bf16 or int4 (as narrator convert).",
            DefaultValueFactory = _ => "fp32",
        };
        precision.AcceptOnlyFromAmong("fp32", "fp16", "bf16", "int4");
        var command = new Command("tiny-model",
            "Write the demo model: a random-weight Qwen2.5-VL checkpoint at tiny sizes, converted like a real one, for trying Narrator without a download. Its narration is meaningless.");
        command.Options.Add(outDir);
        command.Options.Add(seed);
        command.Options.Add(precision);
        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            string directory = parseResult.GetValue(outDir)!;
            int seedValue = parseResult.GetValue(seed) ?? 0;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var textPrecision = Enum.Parse<TextPrecision>(parseResult.GetValue(precision)!, ignoreCase: true);
            var result = await new DemoModelWriter().WriteAsync(directory, seedValue, textPrecision, cancellationToken);
            double megabytes = result.TotalBytes / (1024.0 * 1024.0);
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(FormattableString.Invariant(
                $"wrote the demo model package (seed {seedValue}, {parseResult.GetValue(precision)}) to {result.OutputDirectory}: {result.Files.Count} files, {megabytes:F1} MB, {watch.ElapsedMilliseconds} ms"));
            return 0;
        });
        return command;
    }
}
