using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR.Client;
using Narrator.Web.Narrations;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Engines;

/// <summary>The whole app with <c>Narrator:Engine = openai</c> against a scripted OpenAI-compatible server on 127.0.0.1.</summary>
public class OpenAiEngineInAppTests
{
    [Fact]
    public async Task Narration_over_the_hub_streams_the_remote_tokens_and_completes()
    {
        string[] pieces = ["镜头", "缓缓", "推近"];
        await using var remote = await ScriptedOpenAiServer.StartAsync((context, _) => ScriptedOpenAiServer.StreamAsync(context, pieces));
        await using var app = new NarratorServer(OpenAiSettings(remote));
        using var http = app.Http();
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async());
        await using var hub = app.Hub();
        await hub.StartAsync();

        var events = await CollectAsync(hub, new NarrationRequest { ClipId = clip.Id, Prompt = "请描述。" });

        Assert.Equal(pieces, events.OfType<TokenEvent>().Select(e => e.Text));
        var completed = Assert.IsType<CompletedEvent>(events[^1]);
        Assert.Equal(string.Concat(pieces), completed.Text);
        Assert.Equal(3, completed.Stats.GeneratedTokens);
        Assert.Equal("eos", completed.Stats.FinishReason);

        // The server got the frames the app planned for this clip, then the prompt.
        var parts = remote.Requests.Single().Body.GetProperty("messages").EnumerateArray().Last().GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(clip.Plan.NFrames, parts.Count(p => p.GetProperty("type").GetString() == "image_url"));
        Assert.Equal("请描述。", parts[^1].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Remote_server_error_becomes_a_failed_event_with_its_message()
    {
        await using var remote = await ScriptedOpenAiServer.StartAsync(async (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"object":"error","message":"At most 4 image(s) may be provided in one request.","type":"BadRequestError","code":400}""");
        });
        await using var app = new NarratorServer(OpenAiSettings(remote));
        using var http = app.Http();
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async());
        await using var hub = app.Hub();
        await hub.StartAsync();

        var events = await CollectAsync(hub, new NarrationRequest { ClipId = clip.Id, Prompt = "请描述。" });

        var failed = Assert.IsType<FailedEvent>(events[^1]);
        Assert.Equal(FailureCodes.EngineError, failed.Code);
        Assert.Contains("HTTP 400", failed.Error);
        Assert.Contains("At most 4 image(s)", failed.Error);
        Assert.DoesNotContain(remote.Endpoint.Authority, failed.Error);
    }

    [Fact]
    public async Task Sse_endpoint_carries_the_remote_tokens_as_the_readme_shows()
    {
        await using var remote = await ScriptedOpenAiServer.StartAsync((context, _) => ScriptedOpenAiServer.StreamAsync(context, ["一位", "老人"]));
        await using var app = new NarratorServer(OpenAiSettings(remote));
        using var http = app.Http();
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async());

        using var start = await http.PostAsJsonAsync("/api/narrations", new { clipId = clip.Id, prompt = "请描述。", maxNewTokens = 64 });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        using var accepted = JsonDocument.Parse(await start.Content.ReadAsStringAsync());
        string eventsUrl = accepted.RootElement.GetProperty("eventsUrl").GetString()!;
        string sse = await http.GetStringAsync(eventsUrl);

        Assert.Contains("event: token\n", sse);
        Assert.Contains("data: {\"type\":\"token\",\"text\":\"一位\"", sse);
        Assert.Contains("event: completed\n", sse);
        Assert.Equal(64, remote.Requests.Single().Body.GetProperty("max_completion_tokens").GetInt32());
    }

    private static Dictionary<string, string?> OpenAiSettings(ScriptedOpenAiServer remote) => new()
    {
        ["Narrator:Engine"] = "openai",
        ["Narrator:OpenAI:Endpoint"] = remote.Endpoint.ToString(),
        ["Narrator:OpenAI:Model"] = "qwen-vl-narrator",
        ["Narrator:OpenAI:MaxRetries"] = "0",
    };

    private static async Task<List<NarrationEvent>> CollectAsync(HubConnection hub, NarrationRequest request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var events = new List<NarrationEvent>();
        await foreach (var narrationEvent in hub.StreamAsync<NarrationEvent>("Narrate", request, timeout.Token))
        {
            events.Add(narrationEvent);
        }
        return events;
    }
}
