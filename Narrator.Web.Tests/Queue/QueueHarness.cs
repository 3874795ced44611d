using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Web.Services;
using Narrator.Web.Services.Engine;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Tests.Queue;

/// <summary>The queue, its consumer, the engine host and a real SQLite history in a temp folder, without the web host.</summary>
internal sealed class QueueHarness : IAsyncDisposable
{
    private readonly EngineHost engine;
    private readonly NarrationWorker worker;
    private readonly ApplicationLifetime lifetime = new(NullLogger<ApplicationLifetime>.Instance);

    private QueueHarness(ScriptedChatClient client, QueueOptions options, PreparedMediaSample preparer)
    {
        Client = client;
        Preparer = preparer;
        DataPath = Path.Combine(Path.GetTempPath(), "narrator-queue-" + Guid.NewGuid().ToString("N"));
        var environment = new HostingEnvironment { ContentRootPath = DataPath };
        var folder = new DataFolder(Options.Create(new NarratorOptions { DataPath = DataPath }), environment);
        History = new NarrationHistory(new NarratorDatabase(folder), TimeProvider.System);
        Journal = new NarrationJournal(History, Options.Create(new HistoryOptions { CheckpointSeconds = 0.1 }), TimeProvider.System,
            NullLogger<NarrationJournal>.Instance);
        Estimator = new QueueEtaEstimator(options.AssumedTokensPerSecond);
        Queue = new NarrationQueue(Options.Create(options), preparer, Estimator, TimeProvider.System, NullLogger<NarrationQueue>.Instance);
        engine = new EngineHost([new FixedEngineFactory(client, "scripted")], Options.Create(new NarratorOptions { Engine = "scripted" }),
            lifetime, NullLogger<EngineHost>.Instance);
        worker = new NarrationWorker(Queue, engine, preparer,
            new LongVideoNarrator(new MediaPreparer(), new VideoSegmenter(), DirectMediaWorkRunner.Instance, null, NullLogger<TimedNarrator>.Instance),
            new QueuedTranslator(Journal, Options.Create(options), NullLogger<Narrator.Model.Translation.NarrationTranslator>.Instance),
            Journal, Estimator, Options.Create(options), lifetime, NullLogger<NarrationWorker>.Instance);
    }

    public ScriptedChatClient Client { get; }

    public PreparedMediaSample Preparer { get; }

    public NarrationQueue Queue { get; }

    public NarrationHistory History { get; }

    public NarrationJournal Journal { get; }

    public QueueEtaEstimator Estimator { get; }

    public string DataPath { get; }

    /// <summary>Builds the harness; the consumer starts only with <see cref="StartAsync"/>, so tests can fill the queue first.</summary>
    public static QueueHarness Create(ScriptedChatClient client, QueueOptions? options = null, PreparedMediaSample? preparer = null) =>
        new(client, options ?? new QueueOptions { Capacity = 8, PerOwnerLimit = 4, PrepareAhead = 2 }, preparer ?? new PreparedMediaSample());

    public async Task StartAsync()
    {
        await Journal.StartAsync(CancellationToken.None);
        await engine.StartAsync(CancellationToken.None);
        await worker.StartAsync(CancellationToken.None);
    }

    public static NarrationWork Work(string prompt, int maxNewTokens = 5) => new()
    {
        ClipId = "clip",
        ClipLabel = "clip.mp4",
        ClipPath = "/nonexistent/clip.mp4",
        Prompt = prompt,
        Options = new(new FrameOptions(), new GenerationOptions { MaxNewTokens = maxNewTokens }),
        EstimatedVisualTokens = 1,
    };

    /// <summary>Queues a narration for visitor <paramref name="owner"/>, started by <paramref name="connection"/> (a tab or hub connection) when given.</summary>
    public NarrationJob Enqueue(string prompt, string owner = "owner", int maxNewTokens = 5, string? connection = null) =>
        Queue.Enqueue(Work(prompt, maxNewTokens), Caller(owner, connection));

    public static NarrationCaller Caller(string owner, string? connection = null, string address = "127.0.0.1") =>
        new(new NarrationOwner(owner), NarrationOwner.ForAddress(address), connection);

    public async ValueTask DisposeAsync()
    {
        lifetime.StopApplication();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await worker.StopAsync(timeout.Token);
        await Journal.StopAsync(timeout.Token);
        Journal.Dispose();
        await engine.StopAsync(timeout.Token);
        await engine.DisposeAsync();
        worker.Dispose();
        Queue.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(DataPath, recursive: true);
    }
}

internal static class EventStreams
{
    /// <summary>Every event of a job until its final one, with a generous limit so a bug fails the test instead of hanging it.</summary>
    public static async Task<List<Narrator.Web.Narrations.NarrationEvent>> CollectAsync(this NarrationJob job, int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        var events = new List<Narrator.Web.Narrations.NarrationEvent>();
        await foreach (var narrationEvent in job.ReadEventsAsync(timeout.Token))
        {
            events.Add(narrationEvent);
        }
        return events;
    }
}
