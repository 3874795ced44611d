using System.CommandLine;
using Narrator.Model.Synthetic;

namespace Narrator.Cli.Commands;

/// <summary><c>narrator tiny-model --out DIR [--seed N]</c>: writes the tiny random-weight demo package.</summary>
internal static class TinyModelCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out")
        {
            HelpName = "DIR",
            Description = "Folder to write the package into (created; existing package files are overwritten).",
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
        var command = new Command("tiny-model",
            "Write a tiny random-weight Qwen2.5-VL-style model package (onnxruntime-genai layout) for trying Narrator without a real model. Its narration is meaningless.");
        command.Options.Add(outDir);
        command.Options.Add(seed);
        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            string directory = parseResult.GetValue(outDir)!;
            int seedValue = parseResult.GetValue(seed) ?? 0;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await new TinyModelWriter().WriteAsync(directory, seedValue, cancellationToken);
            var files = new DirectoryInfo(directory).GetFiles();
            double megabytes = files.Sum(f => f.Length) / (1024.0 * 1024.0);
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(
                $"wrote tiny model package (seed {seedValue}) to {directory}: {files.Length} files, {megabytes:F1} MB, {watch.ElapsedMilliseconds} ms");
            return 0;
        });
        return command;
    }
}
