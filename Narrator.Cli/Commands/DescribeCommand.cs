using System.CommandLine;
using System.Globalization;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Subtitles;
using Narrator.Model.Text;
using Narrator.Model.Translation;

namespace Narrator.Cli.Commands;

/// <summary>
/// <c>narrator describe FILE</c>: narrates a clip or still with a model package (the tiny demo package when no --model),
/// streaming the text to stdout as it is generated; the model, provider and stats go to stderr. A video over the
/// long-video limit is narrated segment by segment, as the server and the batch runner do. The dialogue (an .srt/.vtt or
/// the video's own text subtitles) goes into each prompt; --translate adds translations by the same model afterwards;
/// --dry-run prints the exact prompts and frame plans without loading the model.
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
            Description = "Where --export writes (default: the clip's name with the format's extension, in the current folder); translations of srt/vtt/txt go beside it as NAME.LANG.EXT.",
        };
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Print each prompt exactly as the model would get it (subtitles included; the run of visual pad tokens written once with its count) and each frame plan, without running the model.",
        };
        var subtitleArguments = new SubtitleArguments();
        var translateArguments = new TranslateArguments();

        var command = new Command("describe",
            "Narrate a clip or still: the text streams to stdout as it is generated, stats go to stderr; videos over a minute are narrated segment by segment.");
        command.Arguments.Add(file);
        settingArguments.AddTo(command);
        segmentationArguments.AddTo(command);
        modelArguments.AddTo(command);
        command.Options.Add(export);
        command.Options.Add(exportOut);
        command.Options.Add(dryRun);
        subtitleArguments.AddTo(command);
        translateArguments.AddTo(command);

        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            string path = parseResult.GetValue(file)!;

            var (promptText, chosen, settings) = settingArguments.Read(parseResult);
            var segmentOptions = segmentationArguments.Read(parseResult);
            var exportFormat = parseResult.GetValue(export) is { } formatName ? ExportFormats.Parse(formatName) : (ExportFormat?)null;
            var languages = translateArguments.Read(parseResult);
            var preparer = new MediaPreparer();
            // Probed (and planned) before the model loads, so a bad file or option fails fast.
            var probe = await preparer.Prober.ProbeAsync(path, cancellationToken);
            var plan = FramePlanner.Plan(probe, settings.Frames);
            var subtitles = await subtitleArguments.ResolveAsync(parseResult, path, probe, stderr, cancellationToken);
            var request = new TimedNarrationRequest
            {
                Path = path,
                Video = Path.GetFileName(path),
                Probe = probe,
                Prompt = promptText,
                Subtitles = subtitles,
                Template = chosen?.Id,
                Options = settings,
                Segmentation = segmentOptions,
                Finish = chosen is null ? null : SegmentOutputProcessor.For(chosen),
            };

            if (parseResult.GetValue(dryRun))
            {
                await PrintDryRunAsync(request, modelArguments.Tokenizer(parseResult), stdout, cancellationToken);
                return 0;
            }

            using var generator = await modelArguments.OpenAsync(parseResult, stderr, cancellationToken);
            if (!segmentOptions.IsLong(probe))
            {
                // Refused before any frame is decoded; a long video's segments are planned, and measured, one by one.
                generator.EnsureFits(promptText, plan, settings.Generation.MaxNewTokens);
            }
            using var engine = new OnnxChatClient(generator);
            var progress = new StreamingProgress(stdout, stderr, plan);
            var result = await new TimedNarrator(engine, preparer, new VideoSegmenter()).NarrateAsync(request, progress, cancellationToken);
            foreach (var warning in result.Warnings)
            {
                await stderr.WriteLineAsync($"warning: {warning}");
            }
            var narration = result.Narration;
            foreach (var language in languages)
            {
                Write(stdout, $"\n--- {language.English} ({language.Code}) ---\n");
                var translation = await new NarrationTranslator(engine).TranslateAsync(narration, language, chosen?.Output ?? Model.Templates.TemplateOutputKind.Prose,
                    Model.Batch.BatchRunner.TranslationTokenLimit, new TranslationProgress(stdout, stderr, narration.Segments.Count > 1), cancellationToken);
                narration = narration.With(translation);
            }
            if (exportFormat is { } format)
            {
                string exportPath = parseResult.GetValue(exportOut) ?? Path.ChangeExtension(Path.GetFileName(path), format.FileExtension());
                if (parseResult.GetValue(subtitleArguments.File) is { } subtitleFile && Path.GetFullPath(subtitleFile) == Path.GetFullPath(exportPath))
                {
                    // The dialogue's own file is the visitor's data: the narration goes beside it, never over it.
                    exportPath = Path.ChangeExtension(exportPath, ".narration" + format.FileExtension());
                }
                await NarrationExport.WriteFileAsync(format, narration, exportPath, cancellationToken);
                await stderr.WriteLineAsync($"exported: {exportPath}");
                if (!format.HoldsTranslations)
                {
                    foreach (string code in narration.Translations?.Keys ?? [])
                    {
                        string translatedPath = Path.ChangeExtension(exportPath, $".{code}{format.FileExtension()}");
                        await NarrationExport.WriteFileAsync(format, narration.InLanguage(code), translatedPath, cancellationToken);
                        await stderr.WriteLineAsync($"exported: {translatedPath}");
                    }
                }
            }
            return 0;
        });
        return command;
    }

    /// <summary>
    /// What a run would send, segment by segment, without a model: the time span, the frame plan (as <c>narrator plan</c>
    /// prints it), the token count and the chat text exactly as tokenized, with the run of visual pads written once.
    /// </summary>
    private static async Task PrintDryRunAsync(TimedNarrationRequest request, QwenTokenizer tokenizer, TextWriter stdout, CancellationToken cancellationToken)
    {
        var probe = request.Probe!;
        var segmentation = await new VideoSegmenter().SegmentAsync(request.Path, probe, request.Segmentation, cancellationToken);
        var chat = new ChatPrompt(tokenizer);
        var segments = segmentation.Segments;
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"dry run: {request.Video}, {(probe.Kind == MediaKind.Video ? $"{probe.DurationSeconds:0.###} s video" : "still")}, " +
            $"{(segmentation.Method == SegmentationMethod.Whole ? "narrated whole" : $"{segments.Count} segments by {segmentation.MethodName}")}; the model is not run"));
        for (int k = 0; k < segments.Count; k++)
        {
            var segment = segments[k];
            var planned = TimedNarrator.Describe(segment, probe, segmentation);
            var plan = segmentation.Method == SegmentationMethod.Whole
                ? FramePlanner.Plan(probe, request.Options.Frames)
                : MediaPreparer.PlanRange(probe, request.Options.Frames, segment.StartFrame, segment.FrameCount);
            string prompt = TimedNarrator.PromptFor(request, planned);
            var visual = VisualBlock.From(plan);
            var tokens = chat.Build(prompt, visual);
            await stdout.WriteLineAsync();
            await stdout.WriteLineAsync($"== segment {k + 1} of {segments.Count}: {PlainTextNarrationWriter.Heading(planned.StartSeconds, planned.EndSeconds)} ==");
            await PlanJson.PrintAsync(stdout, writer =>
            {
                writer.WriteStartObject();
                writer.WritePropertyName("plan");
                PlanJson.WritePlan(writer, plan);
                writer.WriteNumber("subtitleLines", request.Subtitles?.Within(planned.StartSeconds, planned.EndSeconds).Count ?? 0);
                writer.WriteNumber("promptTokens", tokens.Length);
                writer.WriteEndObject();
            });
            await stdout.WriteLineAsync("--- prompt ---");
            await stdout.WriteAsync(chat.Render(prompt, visual, countPads: true));
            await stdout.WriteLineAsync("--- end of prompt ---");
        }
    }

    /// <summary>Streams a translation to stdout, a long video's segments under their time headings.</summary>
    private sealed class TranslationProgress(TextWriter stdout, TextWriter stderr, bool segmented) : ITranslationProgress
    {
        public void OnSegmentStarted(NarrationSegment source, int count)
        {
            if (segmented)
            {
                Write(stdout, (source.Index > 0 ? "\n" : "") + PlainTextNarrationWriter.Heading(source.StartSeconds, source.EndSeconds) + "\n");
            }
        }

        public void OnToken(string text) => Write(stdout, text);

        public void OnSegmentCompleted(NarrationSegment translated, int count)
        {
            Write(stdout, translated.Error is { } error && segmented ? PlainTextNarrationWriter.FailedLine(error) + "\n" : "\n");
            if (translated.Stats is { } stats)
            {
                Write(stderr, (segmented ? $"translation of segment {translated.Index + 1} of {count}: " : "translation: ") + Describe(stats) + "\n");
            }
        }
    }

    private static void Write(TextWriter writer, string text)
    {
        writer.Write(text);
        writer.Flush();
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

    }

    /// <summary>One narration's (or one segment's) figures as the stderr line.</summary>
    private static string Describe(GenerationStats stats) => string.Create(CultureInfo.InvariantCulture,
        $"stats: {stats.PromptTokens} prompt tokens ({stats.VisualTokens} visual, {stats.Frames} frames) · vision {stats.VisionMilliseconds:F0} ms · prefill {stats.PrefillMilliseconds:F0} ms · first token {stats.TimeToFirstTokenMilliseconds:F0} ms · {stats.GeneratedTokens} tokens at {stats.TokensPerSecond:F1} tokens/s · total {stats.TotalMilliseconds:F0} ms · finish {stats.FinishReason}");
}
