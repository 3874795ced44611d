using System.CommandLine;
using System.Globalization;
using Narrator.Model;
using Narrator.Model.Batch;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;

namespace Narrator.Cli.Commands;

/// <summary>
/// <c>narrator batch DIR|FILES... --out results.json</c>: narrates every video and image found, long videos per segment,
/// into one results file that a later run resumes from. Progress goes to stderr; Ctrl+C stops after saving.
/// </summary>
internal static class BatchCommand
{
    public const int Interrupted = 130;

    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs")
        {
            Arity = ArgumentArity.OneOrMore,
            HelpName = "DIR|FILE",
            Description = "Folders (searched recursively) and files; files that are not videos or images are skipped and listed.",
        };
        var output = new Option<string>("--out")
        {
            Required = true,
            HelpName = "FILE",
            Description = "Results file {\"items\":[...],\"totals\":{...}}; if it exists, finished files in it are kept and not run again.",
        };
        var format = new Option<string?>("--format")
        {
            Description = "json (one document) or ndjson (one item per line, then the totals); default from the --out extension, else json.",
        };
        format.AcceptOnlyFromAmong("json", "ndjson");
        var retryFailed = new Option<bool>("--retry-failed")
        {
            Description = "Run files recorded as failed in the existing results again (by default they count as finished).",
        };
        var export = new Option<string[]>("--export")
        {
            HelpName = "FORMAT",
            Description = $"Also write each narrated file as a timestamped file ({string.Join(", ", ExportFormats.Names)}); repeat or separate with commas.",
            AllowMultipleArgumentsPerToken = true,
        };
        var exportDir = new Option<string?>("--export-dir")
        {
            HelpName = "DIR",
            Description = "Folder for --export files, named after each video (default: the folder of --out).",
        };
        var noSubtitles = new Option<bool>("--no-subtitles")
        {
            Description = "Leave dialogue out of the prompts (by default a video's subtitle file beside it, clip.srt or clip.vtt, else its own text subtitle stream, goes in).",
        };
        var translate = new TranslateArguments();
        var settings = new NarrationSettingArguments();
        var model = new ModelArguments();
        var segmentation = new SegmentationOptionArguments();

        var command = new Command("batch",
            "Narrate every video and image in folders/files into one results file (resumable); long videos are narrated per scene.");
        command.Arguments.Add(inputs);
        command.Options.Add(output);
        command.Options.Add(format);
        command.Options.Add(retryFailed);
        command.Options.Add(export);
        command.Options.Add(exportDir);
        command.Options.Add(noSubtitles);
        translate.AddTo(command);
        settings.AddTo(command);
        segmentation.AddTo(command);
        model.AddTo(command);

        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var stderr = parseResult.InvocationConfiguration.Error;
            string outPath = parseResult.GetValue(output)!;
            var (prompt, template, options) = settings.Read(parseResult);
            var segmentOptions = segmentation.Read(parseResult);
            var request = new BatchRequest
            {
                Inputs = parseResult.GetValue(inputs)!,
                OutputPath = outPath,
                Format = parseResult.GetValue(format) is { } name ? BatchFormats.Parse(name) : FormatFromExtension(outPath),
                Prompt = prompt,
                Template = template?.Id,
                Frames = options.Frames,
                Generation = options.Generation,
                Segmentation = segmentOptions,
                Finish = template is null ? null : SegmentOutputProcessor.For(template),
                RetryFailed = parseResult.GetValue(retryFailed),
                Exports = (parseResult.GetValue(export) ?? [])
                    .SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .Select(ExportFormats.Parse).Distinct().ToList(),
                ExportFolder = parseResult.GetValue(exportDir),
                UseSubtitles = !parseResult.GetValue(noSubtitles),
                Translate = translate.Read(parseResult),
                OutputKind = template?.Output ?? Model.Templates.TemplateOutputKind.Prose,
            };
            // Fail on a bad input path or an unreadable results file before loading a model.
            BatchInputs.Discover(request.Inputs, request.OutputPath);
            await BatchReportFile.ReadItemsAsync(request.OutputPath, cancellationToken);

            using var generator = await model.OpenAsync(parseResult, stderr, cancellationToken);
            using var engine = new OnnxChatClient(generator);
            var preparer = new MediaPreparer();
            var runner = new BatchRunner(engine, preparer, new VideoSegmenter());
            var display = new BatchProgressDisplay(stderr, interactive: !Console.IsErrorRedirected && stderr == Console.Error);

            var report = await runner.RunAsync(request, display, cancellationToken);
            display.Finish();

            var totals = report.Totals;
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{totals.Files} file(s): {totals.Ok} ok, {totals.Failures} failed, {totals.Skipped.Count} skipped, {totals.Resumed} kept from before; " +
                $"{totals.TotalSeconds:0.0} s in total, {totals.AverageSeconds:0.0} s per file → {outPath}"));
            if (totals.Interrupted)
            {
                await stderr.WriteLineAsync("interrupted: the results so far are saved; run the same command again to resume.");
                return Interrupted;
            }
            return totals.Failures > 0 ? 1 : 0;
        });
        return command;
    }

    private static BatchFormat FormatFromExtension(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".ndjson" or ".jsonl" ? BatchFormat.Ndjson : BatchFormat.Json;
}
