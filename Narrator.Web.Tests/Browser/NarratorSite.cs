using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Web.Services.Engine;

namespace Narrator.Web.Tests.Browser;

/// <summary>
/// The real app on 127.0.0.1 (Kestrel, random port) with the tiny demo model, its data in a temporary folder. The engine
/// is wrapped so each token's departure from the generator is timestamped, for the token-to-DOM latency figure.
/// </summary>
public sealed class NarratorSite : IAsyncLifetime
{
    public const string TimedEngineName = "timed-onnx";

    private readonly string _data = Directory.CreateTempSubdirectory("narrator-site-").FullName;
    private WebApplicationFactory<Program>? _factory;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Folder for synthesised clips and screenshots of this run.</summary>
    public string WorkFolder { get; } = Directory.CreateTempSubdirectory("narrator-browser-").FullName;

    public GeneratorClock Clock { get; } = new();

    public async Task InitializeAsync()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            // Outside Development the MudBlazor and app assets are only served from the build output when asked.
            builder.UseStaticWebAssets();
            builder.UseSetting("Narrator:DataPath", _data);
            builder.UseSetting("Narrator:Engine", TimedEngineName);
            builder.UseSetting("Narrator:RateLimits:UploadsPerMinute", "1000");
            builder.UseSetting("Narrator:RateLimits:StartsPerMinute", "1000");
            builder.UseSetting("Narrator:RateLimits:UploadsPerMinutePerAddress", "1000");
            builder.UseSetting("Narrator:RateLimits:StartsPerMinutePerAddress", "1000");
            builder.UseSetting("Narrator:Queue:PerAddressLimit", "1000");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.ConfigureTestServices(services => services.AddSingleton<INarrationEngineFactory>(provider =>
                new TimedEngineFactory(provider, Clock)));
        });
        _factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseUrl = addresses.Addresses.First().TrimEnd('/');
        await _factory.Services.GetRequiredService<EngineHost>().WhenReadyAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (string folder in new[] { _data, WorkFolder })
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a dying process; the OS temp cleaner gets it.
            }
        }
    }

    /// <summary>Timestamps of the text each narration's generator emitted, newest narration last.</summary>
    public sealed class GeneratorClock
    {
        private readonly ConcurrentQueue<List<TextMark>> _narrations = new();

        public IReadOnlyList<TextMark> Latest => _narrations.LastOrDefault() ?? [];

        internal List<TextMark> Begin()
        {
            var marks = new List<TextMark>();
            _narrations.Enqueue(marks);
            return marks;
        }
    }

    // Resolves the app's onnx factory only when loading, so registering this one does not resolve itself.
    private sealed class TimedEngineFactory(IServiceProvider services, GeneratorClock clock) : INarrationEngineFactory
    {
        public string Name => TimedEngineName;

        public async Task<IChatClient> CreateAsync(CancellationToken cancellationToken)
        {
            INarrationEngineFactory onnx = services.GetServices<INarrationEngineFactory>().OfType<OnnxEngineFactory>().Single();
            return new TimedChatClient(await onnx.CreateAsync(cancellationToken), clock);
        }
    }

    private sealed class TimedChatClient(IChatClient inner, GeneratorClock clock) : DelegatingChatClient(inner)
    {
        // On an idle machine the tiny model writes ~1,000 tokens/s, a whole narration inside two render frames; a real
        // model streams at tens of tokens/s. Pacing keeps "the text grows while you watch" observable either way.
        private static readonly TimeSpan TokenPace = TimeSpan.FromMilliseconds(5);

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            List<TextMark> marks = clock.Begin();
            int length = 0;
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                string text = update.Text;
                if (text.Length > 0)
                {
                    length += text.Length;
                    lock (marks)
                    {
                        marks.Add(new TextMark((DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds, length));
                    }
                }
                yield return update;
                if (text.Length > 0)
                {
                    await Task.Delay(TokenPace, cancellationToken);
                }
            }
        }
    }
}
