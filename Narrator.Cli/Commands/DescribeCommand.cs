using System.CommandLine;
using System.Globalization;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;

namespace Narrator.Cli.Commands;

/// <summary>
/// <c>narrator describe FILE</c>: narrates a clip or still with a model package (the tiny demo package when no --model),
/// streaming the text to stdout as it is generated; the model, provider and stats go to stderr. A video over the
/// long-video limit is narrated segment by segment, as the server and the batch runner do.
/// </summary>
internal static class DescribeCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The video or image to narrate." };
        var settingArguments = new NarrationSettingArguments();
        var segmentationArguments = new SegmentationOptionArguments();
        var modelArguments = new ModelArguments();
        var export = new Option<string?>("--export")
        {
            HelpName = "FORMAT",
            Description = $"Also write the narration as a timestamped file: {string.Join(", ", ExportFormats.Names)}.",
        };
        export.AcceptOnlyFromAmong([.. ExportFormats.Names]);
        var exportOut = new Option<string?>("--export-out")
        {
            HelpName = "FILE",
            Description = "Where --export writes (default: the clip's name with the format's extension, in the current folder).",
        };

        var command = new Command("describe",
            "Narrate a clip or still: the text streams to stdout as it is generated, stats go to stderr; videos over a minute are narrated segment by segment.");
        command.Arguments.Add(file);
        settingArguments.AddTo(command);
        segmentationArguments.AddTo(command);
        modelArguments.AddTo(command);
        command.Options.Add(export);
        command.Options.Add(exportOut);

        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            string path = parseResult.GetValue(file)!;

            var (promptText, chosen, settings) = settingArguments.Read(parseResult);
            var segmentOptions = segmentationArguments.Read(parseResult);
            var exportFormat = parseResult.GetValue(export) is { } formatName ? ExportFormats.Parse(formatName) : (ExportFormat?)null;
            var preparer = new MediaPreparer();
            // Probed (and planned) before the model loads, so a bad file or option fails fast.
            var probe = await preparer.Prober.ProbeAsync(path, cancellationToken);
            var plan = FramePlanner.Plan(probe, settings.Frames);

            using var generator = await modelArguments.OpenAsync(parseResult, stderr, cancellationToken);
            if (!segmentOptions.IsLong(probe))
            {
                // Refused before any frame is decoded; a long video's segments are planned, and measured, one by one.
                generator.EnsureFits(promptText, plan, settings.Generation.MaxNewTokens);
            }
            using var engine = new OnnxChatClient(generator);
            var progress = new StreamingProgress(stdout, stderr, plan);
            var result = await new TimedNarrator(engine, preparer, new VideoSegmenter()).NarrateAsync(new TimedNarrationRequest
            {
                Path = path,
                Video = Path.GetFileName(path),
                Probe = probe,
                Prompt = promptText,
                Template = chosen?.Id,
                Frames = settings.Frames,
                Generation = settings.Generation,
                Segmentation = segmentOptions,
                Finish = chosen is null ? null : SegmentOutputProcessor.For(chosen),
            }, progress, cancellationToken);
            foreach (var warning in result.Warnings)
            {
                await stderr.WriteLineAsync($"warning: {warning}");
            }
            if (exportFormat is { } format)
            {
                string exportPath = parseResult.GetValue(exportOut) ?? Path.ChangeExtension(Path.GetFileName(path), format.FileExtension());
                await NarrationExport.WriteFileAsync(format, result.Narration, exportPath, cancellationToken);
                await stderr.WriteLineAsync($"exported: {exportPath}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Writes the narration to stdout as it is generated — a long video's segments each under its time heading, as in the
    /// .txt export — and the input, segment and stats lines to stderr.
    /// </summary>
    private sealed class StreamingProgress(TextWriter stdout, TextWriter stderr, FramePlan plan) : INarrationProgress
    {
        private bool segmented;

        public void OnSegmented(VideoSegmentation segmentation)
        {
            segmented = segmentation.Method != SegmentationMethod.Whole;
            Write(stderr, segmented
                ? $"split: {segmentation.Segments.Count} segments by {segmentation.MethodName} (each planned on its own)\n"
                : string.Create(CultureInfo.InvariantCulture,
                    $"input: {plan.NFrames} frames {plan.ResizedWidth}x{plan.ResizedHeight}, grid {plan.Grid}, {plan.VisualTokens} visual tokens\n"));
        }

        public void OnSegmentStarted(VideoSegment segment, int count)
        {
            if (segmented)
            {
                Write(stdout, (segment.Index > 0 ? "\n" : "") + PlainTextNarrationWriter.Heading(segment.StartSeconds, segment.EndSeconds) + "\n");
            }
        }

        public void OnToken(string text) => Write(stdout, text);

        public void OnSegmentCompleted(NarrationSegment segment, int count)
        {
            Write(stdout, segment.Error is { } error ? PlainTextNarrationWriter.FailedLine(error) + "\n" : "\n");
            string label = segmented ? $"segment {segment.Index + 1} of {count}: " : "";
            Write(stderr, label + (segment.Stats is { } stats ? Describe(stats) : $"failed: {segment.Error}") + "\n");
        }

        // Progress calls are synchronous and in order; a console write is quick, so it is written and flushed at once.
        private static void Write(TextWriter writer, string text)
        {
            writer.Write(text);
            writer.Flush();
        }
    }

    /// <summary>One narration's (or one segment's) figures as the stderr line.</summary>
    private static string Describe(GenerationStats stats) => string.Create(CultureInfo.InvariantCulture,
        $"stats: {stats.PromptTokens} prompt tokens ({stats.VisualTokens} visual, {stats.Frames} frames) · vision {stats.VisionMilliseconds:F0} ms · prefill {stats.PrefillMilliseconds:F0} ms · first token {stats.TimeToFirstTokenMilliseconds:F0} ms · {stats.GeneratedTokens} tokens at {stats.TokensPerSecond:F1} tokens/s · total {stats.TotalMilliseconds:F0} ms · finish {stats.FinishReason}");
}
