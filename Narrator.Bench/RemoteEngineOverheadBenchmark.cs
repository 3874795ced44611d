using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.AI;
using Narrator.Model.Engines;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Vision;

namespace Narrator.Bench;

/// <summary>
/// What the OpenAI-compatible engine adds before a remote server sees a narration: JPEG-encoding the sampled frames,
/// base64 and JSON. The "server" is an in-memory handler that reads the whole request and answers one token at once,
/// so the time to that token is Narrator's own overhead per request, for each frame transport. "CPU ms" is the process's
/// CPU time per request (median), which a busy shared machine distorts far less than wall time.
/// </summary>
internal sealed class RemoteEngineOverheadBenchmark : IBenchmark
{
    private const int Width = 784, Height = 420; // Narrator's default plan for a 16:9 clip (max_pixels 784*441)

    public string Name => "remote-engine";

    public string Description => "OpenAI-compatible engine: client-side time to first token (frame JPEGs + request) per transport and frame count";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int runs = args.Length > 0 && int.TryParse(args[0], out var n) && n > 0 ? n : 7;
        Console.WriteLine($"{runs} runs each (first run discarded as warm-up), frames {Width}x{Height}, JPEG quality 90");
        Console.WriteLine($"{"transport",-9} {"frames",6} {"median ms",10} {"min ms",8} {"max ms",8} {"CPU ms",8} {"request MB",11}");
        foreach (var transport in new[] { FrameTransport.Images, FrameTransport.Video })
        {
            foreach (int frames in new[] { 16, 32, 96 })
            {
                var handler = new OneTokenServer();
                using var http = new HttpClient(handler);
                using var client = new OpenAiCompatibleChatClient(
                    new OpenAiCompatibleOptions { Endpoint = new Uri("http://bench.invalid/v1"), Model = "bench", FrameTransport = transport, MaxRetries = 0 },
                    httpClient: http);
                var message = new ChatMessage(ChatRole.User, [new PreparedMediaContent(Media(frames)), new TextContent("请详细描述这段视频。")]);

                var timings = new List<double>();
                var cpu = new List<double>();
                using var process = Process.GetCurrentProcess();
                for (int run = 0; run <= runs; run++)
                {
                    process.Refresh();
                    var cpuBefore = process.TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    await foreach (var update in client.GetStreamingResponseAsync([message], new GenerationOptions().ToChatOptions(), cancellationToken))
                    {
                        if (update.Text.Length > 0)
                        {
                            break;
                        }
                    }
                    if (run > 0)
                    {
                        timings.Add(clock.Elapsed.TotalMilliseconds);
                        process.Refresh();
                        cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
                    }
                }
                timings.Sort();
                cpu.Sort();
                Console.WriteLine($"{transport,-9} {frames,6} {timings[timings.Count / 2],10:F1} {timings[0],8:F1} {timings[^1],8:F1} {cpu[cpu.Count / 2],8:F0} {handler.LastRequestBytes / 1e6,11:F2}");
            }
        }
        return 0;
    }

    /// <summary>Frames with texture (gradients plus a deterministic pattern), so JPEG encoding does real work.</summary>
    private static PreparedMedia Media(int count)
    {
        var rgb = new byte[count * Width * Height * 3];
        for (int f = 0, i = 0; f < count; f++)
        {
            for (int y = 0; y < Height; y++)
            {
                for (int x = 0; x < Width; x++, i += 3)
                {
                    rgb[i] = (byte)(x * 255 / Width + f * 3);
                    rgb[i + 1] = (byte)(y * 255 / Height);
                    rgb[i + 2] = (byte)((x * 7 + y * 13 + f * 29) ^ (x * y >> 5));
                }
            }
        }
        var grid = new GridThw(count / 2, Height / 14, Width / 14);
        var indices = Enumerable.Range(0, count).Select(i => i * 12).ToArray();
        return new PreparedMedia
        {
            Probe = new MediaProbe
            {
                Kind = MediaKind.Video, Container = "mov,mp4,m4a,3gp,3g2,mj2", VideoCodec = "h264",
                Width = 1280, Height = 720, AverageFps = 24, DurationSeconds = count * 0.5, FrameCount = count * 12,
            },
            Plan = new FramePlan
            {
                Kind = MediaKind.Video, NFrames = count, Indices = indices, SampleFps = 2, SecondPerGridT = 1,
                ResizedWidth = Width, ResizedHeight = Height, Grid = grid,
            },
            Frames = new DecodedFrames
            {
                Rgb24 = rgb, Count = count, Width = Width, Height = Height,
                Indices = indices, TimestampsSeconds = indices.Select(i => i / 24.0).ToArray(),
            },
            PixelValues = [],
            Grid = grid,
        };
    }

    /// <summary>Reads the whole request (as a server must) and streams back one token and the end of the stream.</summary>
    private sealed class OneTokenServer : HttpMessageHandler
    {
        private const string Chunks =
            "data: {\"id\":\"b\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"镜头\"},\"finish_reason\":null}]}\n\n" +
            "data: {\"id\":\"b\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
            "data: [DONE]\n\n";

        public long LastRequestBytes { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            LastRequestBytes = body.LongLength;
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Chunks, Encoding.UTF8, "text/event-stream") };
        }
    }
}
