using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Narrator.Model;
using Narrator.Model.Engines;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Vision;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Narrator.Web.Tests.Engines;

public class OpenAiCompatibleChatClientTests
{
    private const string Prompt = "请详细描述这段视频。";

    // Distinct solid colours, so the order of the frames on the wire can be checked after JPEG round-trips.
    private static readonly (byte R, byte G, byte B)[] FrameColours = [(220, 30, 30), (30, 220, 30), (30, 30, 220), (220, 220, 30)];

    [Fact]
    public async Task Request_carries_the_model_the_frames_as_jpeg_images_then_the_prompt_and_the_sampling_settings()
    {
        await using var server = await ScriptedOpenAiServer.StartAsync((context, _) => ScriptedOpenAiServer.StreamAsync(context, ["好"]));
        using var client = NewClient(server, o => o.ApiKey = "secret-key");
        var options = new GenerationOptions { MaxNewTokens = 77, Temperature = 0.7f, TopP = 0.8f, TopK = 20, RepetitionPenalty = 1.05f, Seed = 42 };

        await DrainAsync(client.GetStreamingResponseAsync([SeatMessage()], options.ToChatOptions()));

        var body = Assert.Single(server.Requests).Body;
        Assert.Equal("Bearer secret-key", server.Requests[0].Authorization);
        Assert.Equal("qwen-vl-narrator", body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.Equal(77, body.GetProperty("max_completion_tokens").GetInt32());
        Assert.Equal(0.7, body.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(0.8, body.GetProperty("top_p").GetDouble(), 3);
        Assert.Equal(20, body.GetProperty("top_k").GetInt32());
        Assert.Equal(1.05, body.GetProperty("repetition_penalty").GetDouble(), 3);
        Assert.Equal(42, body.GetProperty("seed").GetInt32());

        var message = Assert.Single(body.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        var parts = message.GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(FrameColours.Length + 1, parts.Count);
        for (int i = 0; i < FrameColours.Length; i++)
        {
            Assert.Equal("image_url", parts[i].GetProperty("type").GetString());
            var url = parts[i].GetProperty("image_url").GetProperty("url").GetString()!;
            Assert.StartsWith("data:image/jpeg;base64,", url);
            AssertFrame(Convert.FromBase64String(url["data:image/jpeg;base64,".Length..]), FrameColours[i], 56, 28);
        }
        Assert.Equal("text", parts[^1].GetProperty("type").GetString());
        Assert.Equal(Prompt, parts[^1].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Streamed_pieces_arrive_in_order_between_stage_updates_and_the_completion_carries_server_usage()
    {
        string[] pieces = ["镜头", "缓缓", "推近", "，", "一位老人"];
        await using var server = await ScriptedOpenAiServer.StartAsync((context, _) => ScriptedOpenAiServer.StreamAsync(context, pieces, promptTokens: 900, completionTokens: 6));
        using var client = NewClient(server);

        var updates = await DrainAsync(client.GetStreamingResponseAsync([SeatMessage()], new GenerationOptions().ToChatOptions()));

        var stages = updates.Select(u => u.GetStage()).OfType<NarrationStage>().ToList();
        Assert.Equal([NarrationStage.EncodingVision, NarrationStage.Prefill, NarrationStage.Generating], stages);
        int generatingAt = updates.FindIndex(u => u.GetStage() == NarrationStage.Generating);
        var texts = updates.Where(u => u.GetStage() is null && u.GetStats() is null).Select(u => u.Text).ToList();
        Assert.Equal(pieces, texts);
        Assert.True(updates.FindIndex(u => u.Text == pieces[0]) > generatingAt, "the first piece follows the Generating stage");

        var last = updates[^1];
        var stats = last.GetStats();
        Assert.NotNull(stats);
        Assert.Equal(ChatFinishReason.Stop, last.FinishReason);
        Assert.Equal("eos", stats.FinishReason);
        Assert.Equal(900, stats.PromptTokens);
        Assert.Equal(6, stats.GeneratedTokens);
        Assert.Equal(FrameColours.Length, stats.Frames);
        // As separate images each 56x28 frame is scaled up to Qwen's 4*28*28 floor (84x56) and doubled in time: 4 x 3x2 merged patches.
        Assert.Equal(24, stats.VisualTokens);
        Assert.True(stats.TimeToFirstTokenMilliseconds > 0);
        Assert.True(stats.TotalMilliseconds >= stats.TimeToFirstTokenMilliseconds);
        var usage = Assert.Single(last.Contents.OfType<UsageContent>());
        Assert.Equal(900, usage.Details.InputTokenCount);
        Assert.Equal(6, usage.Details.OutputTokenCount);
    }

    [Fact]
    public async Task Length_finish_is_reported_as_max_new_tokens()
    {
        await using var server = await ScriptedOpenAiServer.StartAsync((context, _) => ScriptedOpenAiServer.StreamAsync(context, ["a", "b"], finishReason: "length"));
        using var client = NewClient(server);

        var updates = await DrainAsync(client.GetStreamingResponseAsync([SeatMessage()], new GenerationOptions { MaxNewTokens = 2 }.ToChatOptions()));

        Assert.Equal("max_new_tokens", updates[^1].GetStats()!.FinishReason);
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);
    }

    [Fact]
    public async Task Video_transport_sends_one_video_part_made_of_the_jpeg_frames_in_order()
    {
        await using var server = await ScriptedOpenAiServer.StartAsync((context, _) => ScriptedOpenAiServer.StreamAsync(context, ["好"]));
        using var client = NewClient(server, o => o.FrameTransport = FrameTransport.Video);

        var updates = await DrainAsync(client.GetStreamingResponseAsync([SeatMessage()], new GenerationOptions().ToChatOptions()));

        var parts = server.Requests[0].Body.GetProperty("messages")[0].GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(2, parts.Count);
        Assert.Equal("video_url", parts[0].GetProperty("type").GetString());
        var url = parts[0].GetProperty("video_url").GetProperty("url").GetString()!;
        Assert.StartsWith("data:video/jpeg;base64,", url);
        var frames = url["data:video/jpeg;base64,".Length..].Split(',');
        Assert.Equal(FrameColours.Length, frames.Length);
        for (int i = 0; i < frames.Length; i++)
        {
            AssertFrame(Convert.FromBase64String(frames[i]), FrameColours[i], 56, 28);
        }
        Assert.Equal(Prompt, parts[1].GetProperty("text").GetString());
        // Qwen's video processor scales 56x28 up to its 128*28*28 pixel floor (448x224): 2 temporal groups x 16x8 merged patches.
        Assert.Equal(256, updates[^1].GetStats()!.VisualTokens);
    }

    [Fact]
    public async Task Frames_wider_than_the_limit_are_scaled_down_before_sending()
    {
        await using var server = await ScriptedOpenAiServer.StartAsync((context, _) => ScriptedOpenAiServer.StreamAsync(context, ["好"]));
        using var client = NewClient(server, o => o.FrameMaxWidth = 28);

        await DrainAsync(client.GetStreamingResponseAsync([SeatMessage()], new GenerationOptions().ToChatOptions()));

        var url = server.Requests[0].Body.GetProperty("messages")[0].GetProperty("content")[0].GetProperty("image_url").GetProperty("url").GetString()!;
        AssertFrame(Convert.FromBase64String(url["data:image/jpeg;base64,".Length..]), FrameColours[0], 28, 14);
    }

    [Fact]
    public async Task Instructions_travel_as_the_system_message()
    {
        await using var server = await ScriptedOpenAiServer.StartAsync((context, _) => ScriptedOpenAiServer.StreamAsync(context, ["好"]));
        using var client = NewClient(server);
        var options = new GenerationOptions().ToChatOptions();
        options.Instructions = "You are a film critic.";

        await DrainAsync(client.GetStreamingResponseAsync([SeatMessage()], options));

        var messages = server.Requests[0].Body.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(2, messages.Count);
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Contains("You are a film critic.", messages[0].GetProperty("content").ToString());
        Assert.Equal("user", messages[1].GetProperty("role").GetString());
    }

    [Fact]
    public async Task Extended_sampling_fields_are_left_out_for_strict_servers()
    {
        await using var server = await ScriptedOpenAiServer.StartAsync((context, _) => ScriptedOpenAiServer.StreamAsync(context, ["好"]));
        using var client = NewClient(server, o => o.SendExtendedSampling = false);

        await DrainAsync(client.GetStreamingResponseAsync([SeatMessage()], new GenerationOptions { TopK = 5 }.ToChatOptions()));

        var body = server.Requests[0].Body;
        Assert.False(body.TryGetProperty("top_k", out _));
        Assert.False(body.TryGetProperty("repetition_penalty", out _));
    }

    [Fact]
    public async Task Cancelling_mid_stream_closes_the_connection_to_the_server()
    {
        await using var server = await ScriptedOpenAiServer.StartAsync(async (context, _) =>
        {
            await ScriptedOpenAiServer.BeginStreamAsync(context);
            await ScriptedOpenAiServer.SendChunkAsync(context, new { role = "assistant", content = "第一" }, null);
            await ScriptedOpenAiServer.SendChunkAsync(context, new { content = "第二" }, null);
            // Keep the stream open, as a server still generating would, until the client goes away.
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        using var client = NewClient(server);
        using var cancel = new CancellationTokenSource();
        var received = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([SeatMessage()], new GenerationOptions().ToChatOptions(), cancel.Token))
            {
                if (update.Text.Length > 0)
                {
                    received.Add(update.Text);
                }
                if (received.Count == 2)
                {
                    cancel.Cancel();
                }
            }
        });

        Assert.Equal(["第一", "第二"], received);
        var closed = await Task.WhenAny(server.ClientAborted.Task, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(closed == server.ClientAborted.Task, "the server never saw the connection close");
    }

    [Theory]
    [InlineData(400, """{"object":"error","message":"At most 1 video(s) may be provided in one request.","type":"BadRequestError","code":400}""", "At most 1 video(s) may be provided in one request.")]
    [InlineData(404, """{"error":{"message":"The model `qwen-vl-narrator` does not exist.","type":"NotFoundError","code":404}}""", "Check Narrator:OpenAI:Model")]
    [InlineData(401, """{"error":"Unauthorized"}""", "Check Narrator:OpenAI:ApiKey")]
    [InlineData(500, "upstream exploded", "upstream exploded")]
    public async Task Server_error_status_becomes_an_exception_with_a_readable_message(int status, string body, string expected)
    {
        await using var server = await ScriptedOpenAiServer.StartAsync(async (context, _) =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = body.StartsWith('{') ? "application/json" : "text/plain";
            await context.Response.WriteAsync(body);
        });
        using var client = NewClient(server);

        var error = await Assert.ThrowsAsync<RemoteEngineException>(() => DrainAsync(client.GetStreamingResponseAsync([SeatMessage()], new GenerationOptions().ToChatOptions())));

        Assert.Equal(status, error.StatusCode);
        Assert.Contains($"HTTP {status}", error.Message);
        Assert.Contains(server.Endpoint.ToString(), error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Single(server.Requests);
        Assert.Contains($"HTTP {status}", error.PublicMessage);
        Assert.DoesNotContain("127.0.0.1", error.PublicMessage);
        Assert.DoesNotContain("Narrator:", error.PublicMessage);
    }

    [Fact]
    public async Task A_busy_server_is_retried_before_the_first_token()
    {
        await using var server = await ScriptedOpenAiServer.StartAsync(async (context, attempt) =>
        {
            if (attempt == 1)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "0";
                return;
            }
            await ScriptedOpenAiServer.StreamAsync(context, ["好"]);
        });
        using var client = NewClient(server, o => o.MaxRetries = 1);

        var updates = await DrainAsync(client.GetStreamingResponseAsync([SeatMessage()], new GenerationOptions().ToChatOptions()));

        Assert.Equal(2, server.Requests.Count);
        Assert.Contains(updates, u => u.Text == "好");
    }

    [Fact]
    public async Task Unreachable_server_becomes_an_exception_naming_it()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new OpenAiCompatibleChatClient(new OpenAiCompatibleOptions
        {
            Endpoint = new Uri($"http://127.0.0.1:{port}/v1"), Model = "qwen-vl-narrator", MaxRetries = 0,
        });

        var error = await Assert.ThrowsAsync<RemoteEngineException>(() => DrainAsync(client.GetStreamingResponseAsync([SeatMessage()], new GenerationOptions().ToChatOptions())));

        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("could not be reached", error.Message);
        Assert.Null(error.StatusCode);
        Assert.DoesNotContain("127.0.0.1", error.PublicMessage);
    }

    [Fact]
    public void Engine_info_reports_the_served_model_and_the_configured_concurrency()
    {
        using var client = new OpenAiCompatibleChatClient(new OpenAiCompatibleOptions
        {
            Endpoint = new Uri("http://gpu-box:8000/v1"), Model = "qwen-vl-narrator", MaxConcurrency = 24,
        });

        var info = client.GetService<EngineInfo>();

        Assert.NotNull(info);
        Assert.Equal("qwen-vl-narrator", info.ModelName);
        Assert.Equal(24, info.MaxConcurrency);
        Assert.False(info.IsDemoModel);
        Assert.Contains("gpu-box:8000", info.ProviderReason);
    }

    [Theory]
    [InlineData(null, "qwen", "Narrator:OpenAI:Endpoint")]
    [InlineData("ftp://gpu-box/v1", "qwen", "Narrator:OpenAI:Endpoint")]
    [InlineData("http://gpu-box:8000/v1", " ", "Narrator:OpenAI:Model")]
    public void Incomplete_settings_are_refused_with_the_setting_named(string? endpoint, string model, string setting)
    {
        var error = Assert.Throws<UserInputException>(() => new OpenAiCompatibleChatClient(new OpenAiCompatibleOptions
        {
            Endpoint = endpoint is null ? null : new Uri(endpoint), Model = model,
        }));

        Assert.Contains(setting, error.Message);
    }

    private static OpenAiCompatibleChatClient NewClient(ScriptedOpenAiServer server, Action<OpenAiCompatibleOptions>? configure = null)
    {
        var options = new OpenAiCompatibleOptions { Endpoint = server.Endpoint, Model = "qwen-vl-narrator", MaxRetries = 0 };
        configure?.Invoke(options);
        return new OpenAiCompatibleChatClient(options);
    }

    private static async Task<List<ChatResponseUpdate>> DrainAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var all = new List<ChatResponseUpdate>();
        await foreach (var update in updates)
        {
            all.Add(update);
        }
        return all;
    }

    private static ChatMessage SeatMessage() => new(ChatRole.User, [new PreparedMediaContent(Media()), new TextContent(Prompt)]);

    private static PreparedMedia Media()
    {
        const int width = 56, height = 28;
        var rgb = new byte[FrameColours.Length * width * height * 3];
        for (int f = 0; f < FrameColours.Length; f++)
        {
            var span = rgb.AsSpan(f * width * height * 3, width * height * 3);
            for (int p = 0; p < span.Length; p += 3)
            {
                (span[p], span[p + 1], span[p + 2]) = FrameColours[f];
            }
        }
        var grid = new GridThw(FrameColours.Length / 2, height / 14, width / 14);
        int[] indices = [0, 10, 20, 30];
        return new PreparedMedia
        {
            Probe = new MediaProbe
            {
                Kind = MediaKind.Video, Container = "mov,mp4,m4a,3gp,3g2,mj2", VideoCodec = "h264",
                Width = 112, Height = 56, AverageFps = 10, DurationSeconds = 4, FrameCount = 40,
            },
            Plan = new FramePlan
            {
                Kind = MediaKind.Video, NFrames = 4, Indices = indices, SampleFps = 1, SecondPerGridT = 2,
                ResizedWidth = width, ResizedHeight = height, Grid = grid,
            },
            Frames = new DecodedFrames
            {
                Rgb24 = rgb, Count = FrameColours.Length, Width = width, Height = height,
                Indices = indices, TimestampsSeconds = [0, 1, 2, 3],
            },
            PixelValues = new float[grid.PatchCount * 1176],
            Grid = grid,
        };
    }

    private static void AssertFrame(byte[] jpeg, (byte R, byte G, byte B) colour, int width, int height)
    {
        using var image = Image.Load<Rgb24>(jpeg);
        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);
        var pixel = image[width / 2, height / 2];
        Assert.InRange(pixel.R, colour.R - 12, colour.R + 12);
        Assert.InRange(pixel.G, colour.G - 12, colour.G + 12);
        Assert.InRange(pixel.B, colour.B - 12, colour.B + 12);
    }
}
