using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json.Nodes;

namespace Narrator.Model.Engines;

/// <summary>
/// The OpenAI SDK has no <c>video_url</c> content part, so the engine sends a marked text part carrying the video data URL
/// and this pipeline step rewrites it into <c>{"type":"video_url","video_url":{"url":...}}</c> just before the request leaves.
/// </summary>
internal sealed class VideoPartPolicy : PipelinePolicy
{
    // Random per process, so no prompt text can ever look like a marker.
    private static readonly string Marker = $"\u0001narrator-video-url:{Guid.NewGuid():N}\u0001";

    /// <summary>The text a content part carries so that this policy turns it into a video part for <paramref name="url"/>.</summary>
    public static string MarkedText(string url) => Marker + url;

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Rewrite(message);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Rewrite(message);
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
    }

    private static void Rewrite(PipelineMessage message)
    {
        if (message.Request.Content is not { } content)
        {
            return;
        }
        using var buffer = new MemoryStream();
        content.WriteTo(buffer, message.CancellationToken);
        buffer.Position = 0;
        if (JsonNode.Parse(buffer) is not JsonObject body || body["messages"] is not JsonArray messages)
        {
            return;
        }

        bool changed = false;
        foreach (var chatMessage in messages)
        {
            if (chatMessage?["content"] is not JsonArray parts)
            {
                continue;
            }
            for (int i = 0; i < parts.Count; i++)
            {
                if (parts[i]?["type"]?.GetValue<string>() == "text"
                    && parts[i]?["text"]?.GetValue<string>() is { } text
                    && text.StartsWith(Marker, StringComparison.Ordinal))
                {
                    parts[i] = new JsonObject
                    {
                        ["type"] = "video_url",
                        ["video_url"] = new JsonObject { ["url"] = text[Marker.Length..] },
                    };
                    changed = true;
                }
            }
        }
        if (changed)
        {
            message.Request.Content = BinaryContent.Create(BinaryData.FromString(body.ToJsonString()));
        }
    }
}
