using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Engine;

namespace Narrator.Testing;

/// <summary>
/// The real app on Kestrel at 127.0.0.1 (random port) with its data folder in a temp directory and settings a test picks.
/// The engine is the app's own (the tiny demo model) unless a test passes another IChatClient or asks for it paced.
/// The tests, the browser tests and the load program all start the app through this one class.
/// </summary>
public sealed class NarratorServer : WebApplicationFactory<Program>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly Dictionary<string, string?> settings;
    private readonly IChatClient? engine;
    private readonly bool paced;
    private readonly bool ownsData;
    private readonly TimeSpan tokenPace;
    private readonly string environment;
    private readonly bool staticWebAssets;

    /// <param name="paced">Serve the app's own engine wrapped in a <see cref="PacedEngine"/> (held on its marker, recorded per token).</param>
    /// <param name="dataPath">An existing data folder to serve (a restart); kept when this server is disposed. Default: a new temp folder, deleted.</param>
    /// <param name="configure">Extra test services (a fault seam).</param>
    /// <param name="tokenPace">With <paramref name="paced"/>: a pause after each token, so the tiny model streams at a real model's pace.</param>
    /// <param name="environment">The host environment: "Testing" unless a run wants the app exactly as shipped ("Production").</param>
    /// <param name="staticWebAssets">Serve MudBlazor's and the app's assets from the build output (a browser loads the page).</param>
    public NarratorServer(IReadOnlyDictionary<string, string?>? settings = null, IChatClient? engine = null, bool paced = false,
        string? dataPath = null, Action<IServiceCollection>? configure = null, TimeSpan tokenPace = default, string environment = "Testing",
        bool staticWebAssets = false)
    {
        this.paced = paced;
        this.configure = configure;
        this.tokenPace = tokenPace;
        this.environment = environment;
        this.staticWebAssets = staticWebAssets;
        ownsData = dataPath is null;
        DataPath = dataPath ?? Path.Combine(Path.GetTempPath(), "narrator-web-" + Guid.NewGuid().ToString("N"));
        this.settings = new Dictionary<string, string?>
        {
            ["Narrator:DataPath"] = DataPath,
            ["Narrator:RateLimits:UploadsPerMinute"] = "1000",
            ["Narrator:RateLimits:StartsPerMinute"] = "1000",
            // Every test visitor comes from 127.0.0.x, so the per-address limits stay out of the way unless a test sets them.
            ["Narrator:RateLimits:UploadsPerMinutePerAddress"] = "1000",
            ["Narrator:RateLimits:StartsPerMinutePerAddress"] = "1000",
            ["Narrator:Queue:PerAddressLimit"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            this.settings[key] = value;
        }
        if (engine is not null)
        {
            this.settings["Narrator:Engine"] = FixedEngineFactory.EngineName;
        }
        if (paced)
        {
            this.settings["Narrator:Engine"] = PacedEngineFactory.EngineName;
        }
        this.engine = engine;
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        try
        {
            StartServer();
        }
        catch
        {
            // A server that refused to start (the start-up validation tests) must not leave its data folder behind.
            if (ownsData && Directory.Exists(DataPath))
            {
                Directory.Delete(DataPath, recursive: true);
            }
            throw;
        }
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public string DataPath { get; }

    /// <summary>The pacing wrapper round the real engine, once loaded (only for a server built with paced: true).</summary>
    public Task<PacedEngine> PacedEngine => Services.GetServices<INarrationEngineFactory>().OfType<PacedEngineFactory>().Single().Engine;

    public Uri BaseAddress { get; }

    public string ClipsFolder => Path.Combine(DataPath, "clips");

    /// <summary>A client with a cookie jar of its own: a new visitor (its first request gets the visitor cookie).</summary>
    public HttpClient Http() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };

    /// <summary>A client whose connections come from another loopback address (127.0.0.2...): another visitor to the server.</summary>
    public HttpClient HttpFrom(IPAddress local, TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { ConnectCallback = TestVisitor.ConnectFrom(local) }) { BaseAddress = BaseAddress, Timeout = timeout ?? TimeSpan.FromMinutes(5) };

    /// <summary>A visitor with one cookie jar for HTTP and the hub, connecting from <paramref name="address"/> (a 127.0.0.x) when given.</summary>
    public TestVisitor Visitor(string? address = null) => new(BaseAddress, address is null ? null : IPAddress.Parse(address));

    public HubConnection Hub() => new HubConnectionBuilder()
        .WithUrl(new Uri(BaseAddress, "/hubs/narration"))
        .AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
        .Build();

    /// <summary>Uploads a file as a browser would (multipart field "file").</summary>
    public static async Task<HttpResponseMessage> UploadAsync(HttpClient http, byte[] bytes, string fileName, string contentType = "video/mp4")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        return await http.PostAsync("/api/clips", form);
    }

    public static async Task<ClipInfo> UploadClipAsync(HttpClient http, string path)
    {
        using var response = await UploadAsync(http, await File.ReadAllBytesAsync(path), Path.GetFileName(path));
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new HttpRequestException(
                $"Uploading {path} answered {(int)response.StatusCode} instead of 201: {await response.Content.ReadAsStringAsync()}", null, response.StatusCode);
        }
        return (await response.Content.ReadFromJsonAsync<ClipInfo>(Json))!;
    }

    /// <summary>Files left in the clips folder (should be none after a refused upload).</summary>
    public IReadOnlyList<string> ClipFiles() =>
        Directory.Exists(ClipsFolder) ? Directory.GetFiles(ClipsFolder, "*", SearchOption.AllDirectories) : [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        if (staticWebAssets)
        {
            // Outside Development the MudBlazor and app assets are only served from the build output when asked.
            builder.UseStaticWebAssets();
        }
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings));
        if (engine is not null)
        {
            builder.ConfigureTestServices(services => services.AddSingleton<INarrationEngineFactory>(new FixedEngineFactory(engine)));
        }
        if (paced)
        {
            builder.ConfigureTestServices(services => services.AddSingleton<INarrationEngineFactory>(provider =>
                new PacedEngineFactory(provider, tokenPace: tokenPace)));
        }
        if (configure is not null)
        {
            builder.ConfigureTestServices(configure);
        }
    }

    /// <summary>Waits until GET /api/clips/{id} says the browser preview is no longer being made; returns the clip then.</summary>
    public static async Task<ClipInfo> WaitForPreviewAsync(HttpClient http, string clipId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        while (true)
        {
            var clip = (await http.GetFromJsonAsync<ClipInfo>($"/api/clips/{clipId}", Json))!;
            if (clip.PreviewStatus != "making" || DateTime.UtcNow > deadline)
            {
                return clip;
            }
            await Task.Delay(100);
        }
    }

    private readonly Action<IServiceCollection>? configure;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!ownsData)
        {
            return;
        }
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
