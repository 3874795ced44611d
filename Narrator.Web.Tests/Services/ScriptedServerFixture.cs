namespace Narrator.Web.Tests.Services;

/// <summary>
/// One <see cref="ScriptedServer"/> shared by a test class, started and stopped by xunit; each fixture says which scripted
/// engine and which settings its tests need.
/// </summary>
public abstract class ScriptedServerFixture(Func<ScriptedChatClient> engine, IReadOnlyDictionary<string, string?>? settings = null) : IAsyncLifetime
{
    private ScriptedServer? app;

    public ScriptedChatClient Engine => App.Engine;

    public NarratorServer Server => App.Server;

    private ScriptedServer App => app ?? throw new InvalidOperationException("The fixture's server has not been started yet.");

    public Task InitializeAsync()
    {
        app = new ScriptedServer(engine(), settings);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}
