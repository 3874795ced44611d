using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using Narrator.Model.Engines;

namespace Narrator.Model.Tests.Engines;

public class VideoPartPolicyTests
{
    private const string Url = "data:video/jpeg;base64,/9j/4AAQ+abc=,/9j/4AAQ+def=";

    [Fact]
    public void Marked_text_part_in_the_sdk_layout_becomes_a_video_part()
    {
        var sent = Send(Body(new { type = "text", text = VideoPartPolicy.MarkedText(Url) }));

        var parts = Parts(sent);
        Assert.Equal("video_url", parts[0].GetProperty("type").GetString());
        Assert.Equal(Url, parts[0].GetProperty("video_url").GetProperty("url").GetString());
        Assert.False(parts[0].TryGetProperty("text", out _));
        Assert.Equal("describe", parts[1].GetProperty("text").GetString());
    }

    [Fact]
    public void The_sdk_layout_takes_the_byte_splice_path_and_other_layouts_do_not()
    {
        Assert.NotNull(VideoPartPolicy.SpliceVideoParts(System.Text.Encoding.UTF8.GetBytes(Body(new { type = "text", text = VideoPartPolicy.MarkedText(Url) }))));
        Assert.Null(VideoPartPolicy.SpliceVideoParts(System.Text.Encoding.UTF8.GetBytes(Body(new { text = VideoPartPolicy.MarkedText(Url), type = "text" }))));
    }

    [Fact]
    public void Marked_text_part_in_another_key_order_is_still_rewritten()
    {
        var sent = Send(Body(new { text = VideoPartPolicy.MarkedText(Url), type = "text" }));

        var part = Parts(sent)[0];
        Assert.Equal("video_url", part.GetProperty("type").GetString());
        Assert.Equal(Url, part.GetProperty("video_url").GetProperty("url").GetString());
    }

    [Fact]
    public void Bodies_without_a_marker_are_sent_unchanged()
    {
        string body = Body(new { type = "text", text = "\u0001narrator-video-url:not-this-process\u0001" + Url });

        Assert.Equal(body, Send(body));
    }

    private static string Body(object firstPart) => JsonSerializer.Serialize(new
    {
        model = "m",
        messages = new object[] { new { role = "user", content = new object[] { firstPart, new { type = "text", text = "describe" } } } },
        stream = true,
    });

    private static List<JsonElement> Parts(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("messages")[0].GetProperty("content").EnumerateArray().ToList();

    private static string Send(string body)
    {
        var capture = new CapturingHandler();
        var pipeline = ClientPipeline.Create(
            new ClientPipelineOptions { Transport = new HttpClientPipelineTransport(new HttpClient(capture)), RetryPolicy = new ClientRetryPolicy(0) },
            perCallPolicies: [new VideoPartPolicy()], perTryPolicies: [], beforeTransportPolicies: []);
        using var message = pipeline.CreateMessage();
        message.Request.Method = "POST";
        message.Request.Uri = new Uri("http://127.0.0.1/v1/chat/completions");
        message.Request.Content = BinaryContent.Create(BinaryData.FromString(body));
        pipeline.Send(message);
        return capture.Body!;
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        public string? Body { get; private set; }

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Body = request.Content!.ReadAsStringAsync(cancellationToken).GetAwaiter().GetResult();
            return new HttpResponseMessage(HttpStatusCode.OK);
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(Send(request, cancellationToken));
    }
}
