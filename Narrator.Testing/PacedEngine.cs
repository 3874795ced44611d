using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Web.Services.Engine;

namespace Narrator.Testing;

/// <summary>
/// Wraps the app's real engine (the tiny demo model) so a test or the load program can hold and watch a narration: a
/// request whose prompt contains <see cref="HoldMarker"/> produces one token per <see cref="Step"/>; every text piece
/// that leaves the generator is recorded per prompt and per narration with its time, and counted, so a test can see
/// exactly how far a cancelled narration got and the load report can check nothing was lost or duplicated.
/// </summary>
/// <param name="tokenPace">A pause after each text piece (zero: none), so a fast tiny model streams as a real one does.</param>
public sealed class PacedEngine(IChatClient inner, TimeSpan tokenPace = default) : DelegatingChatClient(inner)
{
    public const string HoldMarker = "[hold]";

    private readonly SemaphoreSlim gate = new(0);
    private readonly ConcurrentDictionary<string, int> tokensByPrompt = new();
    private readonly ConcurrentDictionary<string, List<EnginePiece>> piecesByPrompt = new();
    private readonly ConcurrentQueue<List<EnginePiece>> narrations = new();

    private readonly ConcurrentDictionary<string, TaskCompletionSource> holding = new();

    /// <summary>Completes when the held narration with this prompt has its first token ready and is waiting for a step.</summary>
    public Task HoldingAsync(string prompt) =>
        holding.GetOrAdd(prompt, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Step(int count = 1) => gate.Release(count);

    public int TokensFor(string prompt) => tokensByPrompt.GetValueOrDefault(prompt);

    /// <summary>The text pieces the generator emitted for every narration with this prompt, in order.</summary>
    public IReadOnlyList<EnginePiece> PiecesFor(string prompt) =>
        piecesByPrompt.TryGetValue(prompt, out var pieces) ? Snapshot(pieces) : [];

    /// <summary>The text pieces of the narration that started last (empty before any).</summary>
    public IReadOnlyList<EnginePiece> Latest => narrations.LastOrDefault() is { } pieces ? Snapshot(pieces) : [];

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        string prompt = list[^1].Contents.OfType<TextContent>().Last().Text;
        bool held = prompt.Contains(HoldMarker, StringComparison.Ordinal);
        var byPrompt = piecesByPrompt.GetOrAdd(prompt, _ => []);
        var narration = new List<EnginePiece>();
        narrations.Enqueue(narration);
        int length = 0;
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
            string text = update.Text;
            if (text.Length > 0)
            {
                length += text.Length;
                var piece = new EnginePiece(Stopwatch.GetTimestamp(), DateTime.UtcNow, text, length);
                Add(byPrompt, piece);
                Add(narration, piece);
            }
            yield return update;
            if (text.Length > 0 && tokenPace > TimeSpan.Zero)
            {
                await Task.Delay(tokenPace, cancellationToken);
            }
        }
    }

    private static void Add(List<EnginePiece> pieces, EnginePiece piece)
    {
        lock (pieces)
        {
            pieces.Add(piece);
        }
    }

    private static EnginePiece[] Snapshot(List<EnginePiece> pieces)
    {
        lock (pieces)
        {
            return [.. pieces];
        }
    }
}

/// <summary>
/// One text piece leaving the generator: its monotonic <see cref="Stopwatch"/> timestamp (for latencies inside this
/// process), its wall-clock time (to compare with a browser's clock), its text and the narration's length so far.
/// </summary>
public readonly record struct EnginePiece(long Timestamp, DateTime At, string Text, int Length);

/// <summary>Registers as engine <paramref name="name"/>: the app's own onnx engine wrapped in a <see cref="PacedEngine"/>.</summary>
public sealed class PacedEngineFactory(IServiceProvider services, string name = PacedEngineFactory.EngineName, TimeSpan tokenPace = default)
    : INarrationEngineFactory
{
    public const string EngineName = "paced";

    private readonly TaskCompletionSource<PacedEngine> created = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => name;

    public Task<PacedEngine> Engine => created.Task;

    // Resolves the app's onnx factory only when loading, so registering this one does not resolve itself.
    public async Task<IChatClient> CreateAsync(CancellationToken cancellationToken)
    {
        var onnx = services.GetServices<INarrationEngineFactory>().OfType<OnnxEngineFactory>().Single();
        var engine = new PacedEngine(await onnx.CreateAsync(cancellationToken), tokenPace);
        created.TrySetResult(engine);
        return engine;
    }
}
