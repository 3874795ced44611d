using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Narrator.Web.Tests.Engines;

/// <summary>
/// A minimal OpenAI-compatible server on 127.0.0.1 for engine tests: <c>POST /v1/chat/completions</c> records each request
/// and answers with whatever the test scripts (usually server-sent chunks).
/// </summary>
internal sealed class ScriptedOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<RecordedRequest> _requests = [];

    private ScriptedOpenAiServer(WebApplication app) => _app = app;

    /// <summary>Set when the client goes away before the response is complete.</summary>
    public TaskCompletionSource ClientAborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<ScriptedOpenAiServer> StartAsync(Func<HttpContext, int, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ScriptedOpenAiServer(app);
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            context.RequestAborted.Register(() => server.ClientAborted.TrySetResult());
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            int attempt;
            lock (server._requests)
            {
                server._requests.Add(new RecordedRequest(JsonDocument.Parse(body).RootElement.Clone(), context.Request.Headers.Authorization.ToString()));
                attempt = server._requests.Count;
            }
            await respond(context, attempt);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    /// <summary>Streams one chunk per piece, then a finish chunk and a usage chunk, as vLLM does with <c>include_usage</c>.</summary>
    public static async Task StreamAsync(HttpContext context, IEnumerable<string> pieces, string finishReason = "stop", int promptTokens = 321, int? completionTokens = null)
    {
        await BeginStreamAsync(context);
        int count = 0;
        await SendChunkAsync(context, new { role = "assistant", content = "" }, null);
        foreach (var piece in pieces)
        {
            await SendChunkAsync(context, new { content = piece }, null);
            count++;
        }
        await SendChunkAsync(context, new { }, finishReason);
        await SendAsync(context, new
        {
            id = "chatcmpl-test", @object = "chat.completion.chunk", created = 1, model = "narrator",
            choices = Array.Empty<object>(),
            usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens ?? count, total_tokens = promptTokens + (completionTokens ?? count) },
        });
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    public static Task BeginStreamAsync(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        return context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public static Task SendChunkAsync(HttpContext context, object delta, string? finishReason) => SendAsync(context, new
    {
        id = "chatcmpl-test", @object = "chat.completion.chunk", created = 1, model = "narrator",
        choices = new[] { new { index = 0, delta, finish_reason = finishReason } },
    });

    private static async Task SendAsync(HttpContext context, object chunk)
    {
        await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record RecordedRequest(JsonElement Body, string Authorization);
