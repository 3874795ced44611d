using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.AI;
using Narrator.Model.Generation;
using Narrator.Model.Media;

namespace Narrator.Model.Segmentation;

/// <summary>What one engine call produced: the whole text and its figures.</summary>
public sealed record NarrationCallResult(string Text, GenerationStats Stats);

/// <summary>
/// One call through the engine seat, and the one loop over an engine's stream (whole clips, long videos'
/// segments and translations all come through here): a user message holding the prepared media (none for a text-only turn such as a
/// translation) and the prompt, streamed back. Engines that send no Narrator stats (a remote OpenAI-compatible one)
/// still get timings and token counts filled in.
/// </summary>
public static class NarrationCall
{
    public static async Task<NarrationCallResult> RunAsync(IChatClient engine, PreparedMedia? media, string prompt, GenerationOptions options,
        INarrationProgress? progress, CancellationToken cancellationToken)
    {
        var message = media is null
            ? new ChatMessage(ChatRole.User, [new TextContent(prompt)])
            : new ChatMessage(ChatRole.User, [new PreparedMediaContent(media), new TextContent(prompt)]);
        var text = new StringBuilder();
        GenerationStats? stats = null;
        UsageDetails? usage = null;
        ChatFinishReason? finish = null;
        int pieces = 0;
        double firstTokenMs = 0;
        var watch = Stopwatch.StartNew();
        await foreach (var update in engine.GetStreamingResponseAsync([message], options.ToChatOptions(), cancellationToken))
        {
            if (update.GetStage() is { } stage)
            {
                progress?.OnStage(stage);
            }
            stats = update.GetStats() ?? stats;
            finish = update.FinishReason ?? finish;
            foreach (var content in update.Contents)
            {
                if (content is TextContent { Text: { Length: > 0 } piece })
                {
                    if (pieces++ == 0)
                    {
                        firstTokenMs = watch.Elapsed.TotalMilliseconds;
                    }
                    text.Append(piece);
                    progress?.OnToken(piece);
                }
                else if (content is UsageContent u)
                {
                    usage = u.Details;
                }
            }
            // Stop at the next token even if the engine is slow to notice its token.
            cancellationToken.ThrowIfCancellationRequested();
        }

        double totalMs = watch.Elapsed.TotalMilliseconds;
        stats ??= new GenerationStats
        {
            PromptTokens = (int)(usage?.InputTokenCount ?? 0),
            GeneratedTokens = (int)(usage?.OutputTokenCount ?? pieces),
            VisualTokens = media?.Grid.VisualTokens ?? 0,
            Frames = media?.Frames.Count ?? 0,
            TimeToFirstTokenMilliseconds = firstTokenMs,
            TokensPerSecond = pieces > 1 && totalMs > firstTokenMs ? (pieces - 1) / ((totalMs - firstTokenMs) / 1000) : 0,
            TotalMilliseconds = totalMs,
            FinishReason = FinishReasons.FromChatFinishReason(finish),
        };
        return new NarrationCallResult(text.ToString(), stats);
    }
}
