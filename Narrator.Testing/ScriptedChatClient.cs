using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Narrator.Model.Generation;

namespace Narrator.Testing;

/// <summary>
/// A deterministic engine for the web tests: streams the stages (no vision stage for a text-only
/// request such as a translation), then tokens "&lt;prompt&gt;#i " up to max_new_tokens, then stats. With
/// <see cref="Gated"/> each token waits for <see cref="Step"/>, so a test controls exactly how far generation has gone.
/// Records every request and how many ran at once.
/// <paramref name="info"/> replaces the EngineInfo it reports (e.g. one whose CUDA fell back to the CPU).
/// </summary>
public sealed class ScriptedChatClient(int tokens = 5, bool gated = false, int maxConcurrency = 1, EngineInfo? info = null) : IChatClient
{
    private readonly SemaphoreSlim gate = new(0);
    private readonly System.Collections.Concurrent.ConcurrentQueue<ChatMessage> requests = new();
    private int running;
    private int maxObservedConcurrency;
    private int tokensProduced;

    public bool Gated { get; } = gated;

    /// <summary>Throw this instead of generating (after the stages).</summary>
    public Exception? Failure { get; set; }

    public int MaxObservedConcurrency => Volatile.Read(ref maxObservedConcurrency);

    public int TokensProduced => Volatile.Read(ref tokensProduced);

    public TaskCompletionSource FirstTokenRequested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets gated generation produce <paramref name="count"/> more tokens.</summary>
    public void Step(int count = 1) => gate.Release(count);

    public static string TokenText(string prompt, int index) => $"{prompt}#{index} ";

    /// <summary>Every user message the engine was sent, in order.</summary>
    public IReadOnlyList<ChatMessage> Requests => [.. requests];

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var message = messages.Single();
        requests.Enqueue(message);
        var media = message.Contents.OfType<PreparedMediaContent>().SingleOrDefault();
        string prompt = message.Contents.OfType<TextContent>().Single().Text;
        int now = Interlocked.Increment(ref running);
        InterlockedMax(ref maxObservedConcurrency, now);
        try
        {
            if (media is not null)
            {
                yield return NarrationUpdates.Stage(NarrationStage.EncodingVision);
            }
            yield return NarrationUpdates.Stage(NarrationStage.Prefill);
            yield return NarrationUpdates.Stage(NarrationStage.Generating);
            if (Failure is not null)
            {
                throw Failure;
            }
            int limit = Math.Min(tokens, options?.MaxOutputTokens ?? tokens);
            for (int i = 0; i < limit; i++)
            {
                FirstTokenRequested.TrySetResult();
                if (Gated)
                {
                    await gate.WaitAsync(cancellationToken);
                }
                else
                {
                    await Task.Yield();
                }
                cancellationToken.ThrowIfCancellationRequested();
                Interlocked.Increment(ref tokensProduced);
                yield return new ChatResponseUpdate(ChatRole.Assistant, TokenText(prompt, i));
            }
            yield return NarrationUpdates.Completed(new GenerationStats
            {
                PromptTokens = (media?.Media.Plan.VisualTokens ?? 0) + 10,
                VisualTokens = media?.Media.Plan.VisualTokens ?? 0,
                GeneratedTokens = limit,
                Frames = media?.Media.Plan.NFrames ?? 0,
                TokensPerSecond = 100,
                FinishReason = limit < tokens ? "max_new_tokens" : "eos",
            }, limit < tokens ? ChatFinishReason.Length : ChatFinishReason.Stop);
        }
        finally
        {
            Interlocked.Decrement(ref running);
        }
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EngineInfo)
            ? info ?? new EngineInfo { ModelName = "scripted", ExecutionProvider = "test", MaxConcurrency = maxConcurrency }
            : null;

    public void Dispose() => gate.Dispose();

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
