using System.Text.Json;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Shipping;

/// <summary>
/// <c>Narrator:Model:ExecutionProvider</c> from settings reaches ONNX Runtime, and <c>/readyz</c> says what is live and why.
/// This machine has the CPU package and no GPU, so a CUDA request must fall back to the CPU with the reason given.
/// </summary>
public class ExecutionProviderSettingsTests
{
    [Fact]
    public async Task Cuda_requested_in_settings_falls_back_to_the_cpu_and_readyz_says_why()
    {
        await using var app = new NarratorServer(new Dictionary<string, string?> { ["Narrator:Model:ExecutionProvider:Provider"] = "Cuda" });

        var ready = await ReadyAsync(app);

        Assert.Equal("CPU", ready.GetProperty("executionProvider").GetString());
        string reason = ready.GetProperty("providerReason").GetString()!;
        Assert.Contains("CUDA requested", reason);
        Assert.Contains("not available", reason);
    }

    [Fact]
    public async Task Cpu_in_settings_never_tries_cuda()
    {
        await using var app = new NarratorServer(new Dictionary<string, string?> { ["Narrator:Model:ExecutionProvider:Provider"] = "Cpu" });

        var ready = await ReadyAsync(app);

        Assert.Equal("CPU", ready.GetProperty("executionProvider").GetString());
        Assert.Equal("CPU requested in settings", ready.GetProperty("providerReason").GetString());
    }

    [Fact]
    public async Task Shipped_appsettings_ask_for_auto_selection()
    {
        await using var app = new NarratorServer();

        var ready = await ReadyAsync(app);

        Assert.Equal("CPU", ready.GetProperty("executionProvider").GetString());
        Assert.StartsWith("Auto", ready.GetProperty("providerReason").GetString());
    }

    private static async Task<JsonElement> ReadyAsync(NarratorServer app)
    {
        using var http = app.Http();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (true)
        {
            using var response = await http.GetAsync("/readyz", timeout.Token);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            string status = json.RootElement.GetProperty("status").GetString()!;
            Assert.NotEqual("failed", status);
            if (status == "ready")
            {
                return json.RootElement.Clone();
            }
            await Task.Delay(200, timeout.Token);
        }
    }
}
