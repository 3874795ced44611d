using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Narrator.Web.Services.Engine;

namespace Narrator.LoadTest;

/// <summary>Narrator.Web as shipped, on Kestrel at 127.0.0.1, with its engine timed and its data in a temp folder.</summary>
internal sealed class LoadServer : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;

    public LoadServer(string dataPath, int queueCapacity, int perOwnerLimit)
    {
        DataPath = dataPath;
        settings = new Dictionary<string, string?>
        {
            ["Narrator:DataPath"] = dataPath,
            ["Narrator:Engine"] = TimedEngineFactory.EngineName,
            ["Narrator:Queue:Capacity"] = queueCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Narrator:Queue:PerOwnerLimit"] = perOwnerLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Every simulated visitor comes from 127.0.0.1, so the per-address limits would measure themselves.
            ["Narrator:RateLimits:UploadsPerMinute"] = "100000",
            ["Narrator:RateLimits:StartsPerMinute"] = "100000",
            ["Narrator:RateLimits:UploadsPerMinutePerAddress"] = "100000",
            ["Narrator:RateLimits:StartsPerMinutePerAddress"] = "100000",
            ["Narrator:Queue:PerAddressLimit"] = "10000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Narrator.Web.Services.Engine"] = "Information",
        };
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public string DataPath { get; }

    public Uri BaseAddress { get; }

    public Task<TimedEngine> Engine => Services.GetServices<INarrationEngineFactory>().OfType<TimedEngineFactory>().Single().Engine;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Production);
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<OnnxEngineFactory>();
            services.AddSingleton<TimedEngineFactory>();
            services.AddSingleton<INarrationEngineFactory>(sp => sp.GetRequiredService<TimedEngineFactory>());
        });
    }
}
