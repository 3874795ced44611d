using Microsoft.Extensions.DependencyInjection;
using Narrator.Web.Services.Engine;

namespace Narrator.Web.Tests.Browser;

/// <summary>
/// The real app on 127.0.0.1 (Kestrel, random port) with the tiny demo model, its data in a temporary folder, serving the
/// page's assets to a browser. The engine is paced, so each token's departure from the generator is timestamped (for the
/// token-to-DOM latency figure) and the tiny model streams at a real model's pace.
/// </summary>
public sealed class NarratorSite : IAsyncLifetime
{
    // On an idle machine the tiny model writes ~1,000 tokens/s, a whole narration inside two render frames; a real
    // model streams at tens of tokens/s. Pacing keeps "the text grows while you watch" observable either way.
    private static readonly TimeSpan TokenPace = TimeSpan.FromMilliseconds(5);

    private NarratorServer? _server;
    private PacedEngine? _engine;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Folder for synthesised clips and screenshots of this run.</summary>
    public string WorkFolder { get; } = Directory.CreateTempSubdirectory("narrator-browser-").FullName;

    /// <summary>When the newest narration's text reached each length, as its tokens left the generator.</summary>
    public IReadOnlyList<TextMark> LatestGenerated =>
        _engine is null ? [] : [.. _engine.Latest.Select(piece => new TextMark((piece.At - DateTime.UnixEpoch).TotalMilliseconds, piece.Length))];

    public async Task InitializeAsync()
    {
        _server = new NarratorServer(paced: true, tokenPace: TokenPace, staticWebAssets: true);
        BaseUrl = _server.BaseAddress.ToString().TrimEnd('/');
        await _server.Services.GetRequiredService<EngineHost>().WhenReadyAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
        _engine = await _server.PacedEngine.WaitAsync(TimeSpan.FromMinutes(2));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        try
        {
            Directory.Delete(WorkFolder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the OS temp cleaner gets it.
        }
    }
}
