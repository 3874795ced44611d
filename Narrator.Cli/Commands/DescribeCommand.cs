using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.AI;
using Narrator.Model;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Onnx;
using Narrator.Model.Synthetic;
using Narrator.Model.Templates;

namespace Narrator.Cli.Commands;

/// <summary>
/// <c>narrator describe FILE</c>: narrates a clip or still with a model package (the tiny demo package when no --model),
/// streaming the text to stdout as it is generated; the model, provider and stats go to stderr.
/// </summary>
internal static class DescribeCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The video or image to narrate." };
        var settingArguments = new NarrationSettingArguments();
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

        var command = new Command("describe", "Narrate a clip or still: the text streams to stdout as it is generated, stats go to stderr.");
        command.Arguments.Add(file);
        settingArguments.AddTo(command);
        modelArguments.AddTo(command);
        command.Options.Add(export);
        command.Options.Add(exportOut);

        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;

            var (promptText, chosen, settings) = settingArguments.Read(parseResult);
            var media = await new MediaPreparer().PrepareAsync(parseResult.GetValue(file)!, settings.Frames, cancellationToken);
            foreach (var warning in media.Warnings)
            {
                await stderr.WriteLineAsync($"warning: {warning}");
            }

            using var engine = await modelArguments.OpenAsync(parseResult, stderr, cancellationToken);
            var info = engine.EngineInfo;
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"input: {media.Frames.Count} frames {media.Frames.Width}x{media.Frames.Height}, grid {media.Grid}, {media.Grid.VisualTokens} visual tokens"));

            var exportFormat = parseResult.GetValue(export) is { } formatName ? ExportFormats.Parse(formatName) : (ExportFormat?)null;
            var answer = new System.Text.StringBuilder();
            IChatClient client = new OnnxChatClient(engine);
            var message = new ChatMessage(ChatRole.User, [new PreparedMediaContent(media), new TextContent(promptText)]);
            await foreach (var update in client.GetStreamingResponseAsync([message], settings.Generation.ToChatOptions(), cancellationToken))
            {
                if (update.GetStats() is { } stats)
                {
                    await stdout.WriteLineAsync();
                    await stdout.FlushAsync(cancellationToken);
                    await stderr.WriteLineAsync(Describe(stats));
                    if (exportFormat is { } format)
                    {
                        string path = parseResult.GetValue(exportOut)
                            ?? Path.ChangeExtension(Path.GetFileName(parseResult.GetValue(file)!), format.FileExtension());
                        await ExportAsync(format, path, parseResult.GetValue(file)!, media, chosen, info, answer.ToString(), stats, cancellationToken);
                        await stderr.WriteLineAsync($"exported: {path}");
                    }
                }
                else if (update.GetStage() is null && update.Text.Length > 0)
                {
                    answer.Append(update.Text);
                    await stdout.WriteAsync(update.Text);
                    await stdout.FlushAsync(cancellationToken);
                }
            }
            return 0;
        });
        return command;
    }

    /// <summary>The whole clip as one timestamped segment, post-processed per the template, in the chosen export format.</summary>
    private static Task ExportAsync(ExportFormat format, string path, string file, PreparedMedia media, PromptTemplate? template, EngineInfo info,
        string text, GenerationStats stats, CancellationToken cancellationToken)
    {
        var segment = new NarrationSegment
        {
            Index = 0,
            StartSeconds = 0,
            EndSeconds = media.Probe.DurationSeconds,
            EndFrame = media.Probe.FrameCount,
            Text = text,
            Stats = stats,
        };
        var narration = new TimedNarration
        {
            Video = Path.GetFileName(file),
            DurationSeconds = media.Probe.DurationSeconds,
            Segments = [template is null ? segment : SegmentOutputProcessor.For(template)(segment)],
            Template = template?.Id,
            Model = info.ModelName,
            Segmentation = "whole",
        };
        return NarrationExport.WriteFileAsync(format, narration, path, cancellationToken);
    }

    /// <summary>--prompt alone is sent as is; --template (or neither) uses the template, with --prompt as extra instructions.</summary>
    private static string Describe(GenerationStats stats) => string.Create(CultureInfo.InvariantCulture,
        $"stats: {stats.PromptTokens} prompt tokens ({stats.VisualTokens} visual, {stats.Frames} frames) · vision {stats.VisionMilliseconds:F0} ms · prefill {stats.PrefillMilliseconds:F0} ms · first token {stats.TimeToFirstTokenMilliseconds:F0} ms · {stats.GeneratedTokens} tokens at {stats.TokensPerSecond:F1} tokens/s · total {stats.TotalMilliseconds:F0} ms · finish {stats.FinishReason}");
}
