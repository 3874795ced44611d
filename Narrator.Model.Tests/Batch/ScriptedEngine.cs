using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Narrator.Model.Generation;

namespace Narrator.Model.Tests.Batch;

/// <summary>
/// A deterministic engine for tests: it "narrates" what it was given (kind, frame count and size, first source frame,
/// prompt) word by word, with the stage and stats updates a real engine sends; a text-only request (a translation) is
/// answered with <see cref="TranslationFor"/>. It records every request, counts calls and can be told to fail.
/// </summary>
public sealed class ScriptedEngine : IChatClient
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<ChatMessage> requests = new();
    private int calls;

    public int Calls => calls;

    /// <summary>Every user message the engine was sent, in order.</summary>
    public IReadOnlyList<ChatMessage> Requests => [.. requests];

    /// <summary>Makes a text-only (translation) call throw when its prompt matches.</summary>
    public Func<string, Exception?>? FailTextWhen { get; init; }

    /// <summary>The answer to a text-only request: "TRANSLATED" and the last line of the prompt (the text to translate).</summary>
    public static string TranslationFor(string prompt) => "TRANSLATED " + prompt.Split('\n')[^1];

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
        requests.Enqueue(message);
        string prompt = message.Contents.OfType<TextContent>().Single().Text;
        int call = Interlocked.Increment(ref calls);
        var media = message.Contents.OfType<PreparedMediaContent>().SingleOrDefault();
        if (media is null)
        {
            if (FailTextWhen?.Invoke(prompt) is { } textFailure)
            {
                throw textFailure;
            }
            yield return NarrationUpdates.Stage(NarrationStage.Prefill);
            await Task.Yield();
            yield return NarrationUpdates.Stage(NarrationStage.Generating);
            string answer = TranslationFor(prompt);
            yield return new ChatResponseUpdate(ChatRole.Assistant, answer);
            yield return NarrationUpdates.Completed(new GenerationStats
            {
                PromptTokens = prompt.Length,
                GeneratedTokens = answer.Length,
                TimeToFirstTokenMilliseconds = 1,
                TokensPerSecond = 100,
                TotalMilliseconds = 2,
                FinishReason = "eos",
            }, ChatFinishReason.Stop);
            AfterCall?.Invoke(call);
            yield break;
        }
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
