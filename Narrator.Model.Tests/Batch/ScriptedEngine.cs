using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Narrator.Model.Generation;

namespace Narrator.Model.Tests.Batch;

/// <summary>
/// A deterministic engine for tests: it "narrates" what it was given (kind, frame count and size, first source frame,
/// prompt) word by word, with the stage and stats updates a real engine sends. It counts calls and can be told to fail.
/// </summary>
public sealed class ScriptedEngine : IChatClient
{
    private int calls;

    public int Calls => calls;

    /// <summary>Makes the engine throw for media whose first source frame index matches.</summary>
    public Func<PreparedMediaContent, Exception?>? FailWhen { get; init; }

    /// <summary>Runs after each completed call (e.g. to cancel the batch midway).</summary>
    public Action<int>? AfterCall { get; init; }

    public static string NarrationFor(PreparedMediaContent media, string prompt) =>
        $"{media.Media.Plan.Kind} of {media.Media.Frames.Count} frames at {media.Media.Frames.Width}x{media.Media.Frames.Height} " +
        $"from frame {media.Media.Frames.Indices[0]} for {prompt}";

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var message = messages.Single();
        var media = message.Contents.OfType<PreparedMediaContent>().Single();
        string prompt = message.Contents.OfType<TextContent>().Single().Text;
        int call = Interlocked.Increment(ref calls);
        if (FailWhen?.Invoke(media) is { } failure)
        {
            throw failure;
        }

        yield return NarrationUpdates.Stage(NarrationStage.EncodingVision);
        await Task.Yield();
        yield return NarrationUpdates.Stage(NarrationStage.Generating);
        var words = NarrationFor(media, prompt).Split(' ');
        for (int i = 0; i < words.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, i == 0 ? words[i] : " " + words[i]);
        }
        var stats = new GenerationStats
        {
            PromptTokens = 20 + media.Media.Grid.VisualTokens,
            VisualTokens = media.Media.Grid.VisualTokens,
            GeneratedTokens = words.Length,
            Frames = media.Media.Frames.Count,
            TimeToFirstTokenMilliseconds = 1,
            TokensPerSecond = 100,
            TotalMilliseconds = 2,
            FinishReason = "eos",
        };
        yield return NarrationUpdates.Completed(stats, ChatFinishReason.Stop);
        AfterCall?.Invoke(call);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EngineInfo) ? new EngineInfo { ModelName = "scripted", ExecutionProvider = "test", IsDemoModel = true } : null;

    public void Dispose()
    {
    }
}
