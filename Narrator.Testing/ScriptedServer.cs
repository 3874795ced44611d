namespace Narrator.Testing;

/// <summary>
/// The app on a loopback port (a <see cref="NarratorServer"/>) serving a <see cref="ScriptedChatClient"/> it owns: a test
/// reads what the engine was asked and, with a gated engine, decides when each token comes. Disposing it stops the app,
/// then the engine.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    public ScriptedServer(ScriptedChatClient engine, IReadOnlyDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
        Server = new NarratorServer(settings, engine);
    }

    public ScriptedChatClient Engine { get; }

    public NarratorServer Server { get; }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Engine.Dispose();
    }
}
