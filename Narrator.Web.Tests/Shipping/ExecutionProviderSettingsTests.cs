using System.Net;
using System.Text.Json;
using Narrator.Model.Generation;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Shipping;

/// <summary>
/// <c>Narrator:Model:ExecutionProvider</c> from settings reaches ONNX Runtime, and <c>/readyz</c> says what is live and why.
/// This machine has the CPU package and no GPU, so a CUDA request must fall back to the CPU with the reason given, and
/// /readyz must say "degraded" (still 200: the server narrates, only slower) — but not when Auto simply found no CUDA.
/// </summary>
public class ExecutionProviderSettingsTests
{
    [Fact]
    public async Task Cuda_requested_in_settings_falls_back_to_the_cpu_and_readyz_says_degraded_and_why()
    {
        await using var app = new NarratorServer(new Dictionary<string, string?> { ["Narrator:Model:ExecutionProvider:Provider"] = "Cuda" });

        var (code, ready) = await ReadyAsync(app);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("degraded", ready.GetProperty("status").GetString());
        Assert.Equal("CPU", ready.GetProperty("executionProvider").GetString());
        string reason = ready.GetProperty("providerReason").GetString()!;
        Assert.Contains("CUDA requested", reason);
        Assert.Contains("not available", reason);
        Assert.Equal(
            "running on the CPU although CUDA was asked for: this ONNX Runtime build has no CUDA provider (the CPU package is installed)",
            ready.GetProperty("degradedReason").GetString());
    }

    [Fact]
    public async Task Cuda_that_failed_at_session_start_makes_readyz_degraded_with_the_reason()
    {
        var info = new EngineInfo
        {
            ModelName = "Qwen-VL-Narrator",
            ExecutionProvider = "CPU",
            ProviderReason = "the CUDA provider failed to start (CUDA driver version is insufficient for CUDA runtime version); running on the CPU",
            CudaFallbackReason = "the CUDA provider failed to start (CUDA driver version is insufficient for CUDA runtime version)",
        };
        using var engine = new ScriptedChatClient(info: info);
        await using var app = new NarratorServer(engine: engine);

        var (code, ready) = await ReadyAsync(app);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("degraded", ready.GetProperty("status").GetString());
        Assert.Equal("CPU", ready.GetProperty("executionProvider").GetString());
        Assert.Equal(
            "running on the CPU although CUDA was asked for: the CUDA provider failed to start (CUDA driver version is insufficient for CUDA runtime version)",
            ready.GetProperty("degradedReason").GetString());
    }

    [Fact]
    public async Task Cpu_in_settings_never_tries_cuda()
    {
        await using var app = new NarratorServer(new Dictionary<string, string?> { ["Narrator:Model:ExecutionProvider:Provider"] = "Cpu" });

        var (_, ready) = await ReadyAsync(app);

        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal("CPU", ready.GetProperty("executionProvider").GetString());
        Assert.Equal("CPU requested in settings", ready.GetProperty("providerReason").GetString());
        Assert.Equal(JsonValueKind.Null, ready.GetProperty("degradedReason").ValueKind);
    }

    [Fact]
    public async Task Shipped_appsettings_ask_for_auto_selection_which_is_not_degraded_without_cuda()
    {
        await using var app = new NarratorServer();

        var (code, ready) = await ReadyAsync(app);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal("CPU", ready.GetProperty("executionProvider").GetString());
        Assert.StartsWith("Auto", ready.GetProperty("providerReason").GetString());
        Assert.Equal(JsonValueKind.Null, ready.GetProperty("degradedReason").ValueKind);
    }

    /// <summary>Polls /readyz until the engine has loaded (anything but "loading"); a failed load fails the test.</summary>
    private static async Task<(HttpStatusCode Code, JsonElement Body)> ReadyAsync(NarratorServer app)
    {
        using var http = app.Http();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (true)
        {
            using var response = await http.GetAsync("/readyz", timeout.Token);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            string status = json.RootElement.GetProperty("status").GetString()!;
            Assert.NotEqual("failed", status);
            if (status != "loading")
            {
                return (response.StatusCode, json.RootElement.Clone());
            }
            await Task.Delay(200, timeout.Token);
        }
    }
}
