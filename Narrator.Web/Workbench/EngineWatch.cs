using Narrator.Model.Generation;
using Narrator.Web.Services.Engine;

namespace Narrator.Web.Workbench;

/// <summary>What the page says about the engine: its description once loaded, or why it failed to load.</summary>
public sealed class EngineWatch(EngineHost host, ILogger logger)
{
    public EngineInfo? Info { get; private set; }

    /// <summary>Why the engine could not be loaded; null while it loads or once it runs.</summary>
    public string? Error { get; private set; }

    public bool IsLoading => Info is null && Error is null;

    /// <summary>Takes the engine's state as it is now.</summary>
    public void Read()
    {
        EngineStatus status = host.Status;
        Info = status.Info;
        Error = status.State == EngineState.Failed ? status.Error : null;
    }

    /// <summary>Waits for a loading engine to be ready or to fail, then reads its state and calls <paramref name="changed"/> (not when the page went away first).</summary>
    public async Task WaitAsync(Func<Task> changed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changed);
        try
        {
            await host.WhenReadyAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "The engine failed to load while the page waited for it");
        }
        Read();
        await changed();
    }
}
