using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Web.Services.Engine;

namespace Narrator.Web.Tests.Services;

/// <summary>
/// Wraps the app's real engine (the tiny demo model) so a test can hold a narration between tokens: a request whose
/// prompt contains <see cref="HoldMarker"/> produces one token per <see cref="Step"/>. Counts the tokens the real
/// generator handed out per prompt, so a test can see exactly how far a cancelled narration got.
/// </summary>
public sealed class PacedEngine(IChatClient inner) : DelegatingChatClient(inner)
{
    public const string HoldMarker = "[hold]";

    private readonly SemaphoreSlim gate = new(0);
    private readonly ConcurrentDictionary<string, int> tokensByPrompt = new();

    private readonly ConcurrentDictionary<string, TaskCompletionSource> holding = new();

    /// <summary>Completes when the held narration with this prompt has its first token ready and is waiting for a step.</summary>
    public Task HoldingAsync(string prompt) =>
        holding.GetOrAdd(prompt, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Step(int count = 1) => gate.Release(count);

    public int TokensFor(string prompt) => tokensByPrompt.GetValueOrDefault(prompt);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        string prompt = list[^1].Contents.OfType<TextContent>().Last().Text;
        bool held = prompt.Contains(HoldMarker, StringComparison.Ordinal);
        await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken))
        {
            if (held && update.Contents.OfType<TextContent>().Any())
            {
                holding.GetOrAdd(prompt, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                await gate.WaitAsync(cancellationToken);
            }
            if (update.Contents.OfType<TextContent>().Any())
            {
                tokensByPrompt.AddOrUpdate(prompt, 1, (_, n) => n + 1);
            }
            yield return update;
        }
    }
}

/// <summary>Registers as engine "paced": the app's own onnx engine wrapped in a <see cref="PacedEngine"/>.</summary>
public sealed class PacedEngineFactory(IServiceProvider services) : INarrationEngineFactory
{
    public const string EngineName = "paced";

    private readonly TaskCompletionSource<PacedEngine> created = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => EngineName;

    public Task<PacedEngine> Engine => created.Task;

    public async Task<IChatClient> CreateAsync(CancellationToken cancellationToken)
    {
        var onnx = services.GetServices<INarrationEngineFactory>().OfType<OnnxEngineFactory>().Single();
        var engine = new PacedEngine(await onnx.CreateAsync(cancellationToken));
        created.TrySetResult(engine);
        return engine;
    }
}
