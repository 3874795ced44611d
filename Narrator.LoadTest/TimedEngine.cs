using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Narrator.Web.Services.Engine;

namespace Narrator.LoadTest;

/// <summary>
/// The app's real engine with a stopwatch on its output: records, per prompt, the monotonic time each text piece left the
/// generator, and the text itself, so the load report can compute token latency and check nothing was lost or duplicated.
/// </summary>
internal sealed class TimedEngine(IChatClient inner) : DelegatingChatClient(inner)
{
    private readonly ConcurrentDictionary<string, List<(long Timestamp, string Text)>> pieces = new();

    public IReadOnlyList<(long Timestamp, string Text)> PiecesFor(string prompt) =>
        pieces.TryGetValue(prompt, out var list) ? list : [];

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        string prompt = list[^1].Contents.OfType<TextContent>().Last().Text;
        var record = pieces.GetOrAdd(prompt, _ => []);
        await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
        {
            foreach (var content in update.Contents)
            {
                if (content is TextContent { Text.Length: > 0 } text)
                {
                    record.Add((Stopwatch.GetTimestamp(), text.Text));
                }
            }
            yield return update;
        }
    }
}

/// <summary>Engine "timed": the onnx engine (tiny demo model unless Narrator:Model:Path is set) wrapped in a <see cref="TimedEngine"/>.</summary>
internal sealed class TimedEngineFactory(OnnxEngineFactory onnx) : INarrationEngineFactory
{
    public const string EngineName = "timed";

    private readonly TaskCompletionSource<TimedEngine> created = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => EngineName;

    public Task<TimedEngine> Engine => created.Task;

    public async Task<IChatClient> CreateAsync(CancellationToken cancellationToken)
    {
        var engine = new TimedEngine(await onnx.CreateAsync(cancellationToken).ConfigureAwait(false));
        created.TrySetResult(engine);
        return engine;
    }
}
