using Microsoft.Extensions.AI;
using Narrator.Web.Services.Engine;

namespace Narrator.Testing;

/// <summary>
/// Registers as engine <paramref name="name"/> and hands out the one client a test made. Built with
/// <paramref name="loaded"/> false, loading waits for <see cref="Open"/> and ignores cancellation, as a model that is
/// half loaded does.
/// </summary>
public sealed class FixedEngineFactory(IChatClient client, string name = FixedEngineFactory.EngineName, bool loaded = true) : INarrationEngineFactory
{
    public const string EngineName = "test";

    private readonly TaskCompletionSource gate = NewGate(loaded);
    private readonly TaskCompletionSource entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => name;

    /// <summary>Completes once the host has asked for the engine.</summary>
    public Task Entered => entered.Task;

    /// <summary>Lets a held load finish.</summary>
    public void Open() => gate.TrySetResult();

    public async Task<IChatClient> CreateAsync(CancellationToken cancellationToken)
    {
        entered.TrySetResult();
        await gate.Task;
        return client;
    }

    private static TaskCompletionSource NewGate(bool open)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            gate.SetResult();
        }
        return gate;
    }
}
