using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Web.Services;
using Narrator.Web.Services.Engine;
using Narrator.Web.Tests.Hubs;

namespace Narrator.Web.Tests.Engines;

/// <summary>
/// The engine has one owner chain, disposed in one place: the host disposes the client it loaded, exactly once; the onnx
/// client owns its generator (which owns its sessions); the factory that opened them keeps nothing.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class EngineOwnershipTests(TinyModelServerFixture fixture) : IDisposable
{
    private readonly string dataPath = Path.Combine(Path.GetTempPath(), "narrator-ownership-" + Guid.NewGuid().ToString("N"));
    private readonly ApplicationLifetime lifetime = new(NullLogger<ApplicationLifetime>.Instance);

    public void Dispose()
    {
        if (Directory.Exists(dataPath))
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    [Fact]
    public async Task Disposing_the_host_disposes_the_onnx_generator_it_loaded_and_nothing_else_holds_it()
    {
        // The tiny model the fixture's server runs on: opened a second time, by a factory of our own.
        string model = fixture.Model.Directory;
        var factory = new OnnxEngineFactory(Options.Create(new ModelOptions { Path = model }),
            new DataFolder(Options.Create(new NarratorOptions { DataPath = dataPath }), new HostingEnvironment { ContentRootPath = dataPath }),
            new MediaPreparer(), new HostingEnvironment { ContentRootPath = dataPath }, NullLoggerFactory.Instance, NullLogger<OnnxEngineFactory>.Instance);
        var host = Host(factory);
        await host.StartAsync(CancellationToken.None);
        var client = await host.WhenReadyAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));
        var generator = Assert.IsType<NarrationGenerator>(client.GetService(typeof(NarrationGenerator)));
        Assert.IsNotAssignableFrom<IDisposable>(factory);

        await host.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => DemoModel.CountTokensAsync(generator, 1));
    }

    [Fact]
    public async Task The_host_disposes_its_engine_exactly_once_however_often_it_is_disposed()
    {
        var engine = new CountingClient();
        var host = Host(new FixedEngineFactory(engine));
        await host.StartAsync(CancellationToken.None);
        await host.WhenReadyAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        await host.StopAsync(CancellationToken.None);
        Assert.Equal(0, engine.Disposals);
        await host.DisposeAsync();
        await host.DisposeAsync();

        Assert.Equal(1, engine.Disposals);
    }

    [Fact]
    public async Task An_engine_that_finishes_loading_while_the_host_shuts_down_is_disposed_too()
    {
        var engine = new CountingClient();
        var factory = new FixedEngineFactory(engine, loaded: false);
        var host = Host(factory);
        await host.StartAsync(CancellationToken.None);
        await factory.Entered.WaitAsync(TimeSpan.FromSeconds(10));

        var disposing = host.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted);
        factory.Open();
        await disposing.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, engine.Disposals);
    }

    private EngineHost Host(INarrationEngineFactory factory) =>
        new([factory], Options.Create(new NarratorOptions { Engine = factory.Name }), lifetime, NullLogger<EngineHost>.Instance);

    private sealed class CountingClient : IChatClient
    {
        private int disposals;

        public int Disposals => Volatile.Read(ref disposals);

        public void Dispose() => Interlocked.Increment(ref disposals);

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("Only disposal is counted.");

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.CompletedTask;
            yield break;
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;
    }
}
