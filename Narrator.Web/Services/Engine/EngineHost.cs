using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Narrator.Model;
using Narrator.Model.Generation;

namespace Narrator.Web.Services.Engine;

/// <summary>
/// Owns the one engine for the app's lifetime: loads it in the background at start (so /healthz answers while a big
/// model loads), reports its status for /readyz, hands it to the queue's consumer, and disposes it at shutdown.
/// </summary>
public sealed class EngineHost : IHostedService, IAsyncDisposable
{
    private readonly INarrationEngineFactory factory;
    private readonly IHostApplicationLifetime lifetime;
    private readonly ILogger<EngineHost> logger;
    private readonly TaskCompletionSource<IChatClient> loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource stopping = new();
    private volatile EngineStatus status = new(EngineState.Loading, null, null);
    private Task? loading;
    private int disposed;

    public EngineHost(IEnumerable<INarrationEngineFactory> factories, IOptions<NarratorOptions> options,
        IHostApplicationLifetime lifetime, ILogger<EngineHost> logger)
    {
        string name = options.Value.Engine;
        factory = factories.LastOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException(EngineSelection.UnknownEngineMessage(name, factories));
        this.lifetime = lifetime;
        this.logger = logger;
    }

    public EngineStatus Status => status;

    /// <summary>The loaded engine's context gate (the in-process model has one); null while loading or for a remote engine.</summary>
    public IContextGate? ContextGate => loaded.Task.IsCompletedSuccessfully ? loaded.Task.Result.GetService<IContextGate>() : null;

    /// <summary>The engine, once loaded; throws if loading failed.</summary>
    public Task<IChatClient> WhenReadyAsync(CancellationToken cancellationToken) => loaded.Task.WaitAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        loading = Task.Run(() => LoadAsync(stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host may stop us after the container already disposed us (WebApplicationFactory does): nothing left to stop.
        if (Volatile.Read(ref disposed) == 1)
        {
            return;
        }
        await stopping.CancelAsync().ConfigureAwait(false);
        if (loading is not null)
        {
            await loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered both as a singleton and as a hosted service, so the container may hand it back twice.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }
        stopping.Cancel();
        // Loading first: an engine that finishes loading while we stop is ours to dispose too.
        if (loading is not null)
        {
            await loading.ConfigureAwait(false);
        }
        if (loaded.Task.IsCompletedSuccessfully)
        {
            loaded.Task.Result.Dispose();
        }
        // 'stopping' is not disposed: a late StopAsync may still cancel it, and without a timer it holds nothing native.
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Loading the {Engine} engine", factory.Name);
        try
        {
            var client = await factory.CreateAsync(cancellationToken).ConfigureAwait(false);
            var info = client.GetService<EngineInfo>()
                ?? new EngineInfo { ModelName = factory.Name, ExecutionProvider = "unknown" };
            status = new EngineStatus(EngineState.Ready, info, null);
            logger.LogInformation(
                "Engine ready: model {Model} on {Provider} ({Reason}), {Concurrency} request(s) at once, precision {Precision}, {ContextTokens} tokens per request",
                info.ModelName, info.ExecutionProvider, info.ProviderReason, info.MaxConcurrency,
                info.Precision?.ToString() ?? "not reported", info.ContextTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown");
            if (info.CudaFallbackReason is { } fallback)
            {
                logger.LogWarning(
                    "Running on the CPU although CUDA was asked for: {Reason}. Narrations will be many times slower; /readyz says degraded.",
                    fallback);
            }
            if (info.IsDemoModel)
            {
                logger.LogWarning("The engine is the tiny random-weight demo model: the pipeline is real but its narrations are meaningless. Set Narrator:Model:Path to a real model package.");
            }
            loaded.TrySetResult(client);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            loaded.TrySetCanceled(cancellationToken);
        }
        catch (Exception ex)
        {
            string message = ex is UserInputException ? ex.Message : $"The {factory.Name} engine failed to load: {ex.Message}";
            status = new EngineStatus(EngineState.Failed, null, message);
            logger.LogCritical(ex, "The engine could not be loaded; the app is stopping. {Message}", message);
            loaded.TrySetException(new InvalidOperationException(message, ex));
            // A server that can never narrate should fail loudly at boot, not sit there not-ready.
            lifetime.StopApplication();
        }
    }
}
