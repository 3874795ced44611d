using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
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
        var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (SpliceVideoParts(body) is { } spliced)
        {
            message.Request.Content = BinaryContent.Create(BinaryData.FromBytes(spliced));
        }
        else if (RewriteParsed(body) is { } rewritten)
        {
            message.Request.Content = BinaryContent.Create(BinaryData.FromString(rewritten));
        }
    }

    /// <summary>
    /// The fast path for a multi-megabyte body: swaps the marked text part's JSON for a video part's around the same (already
    /// escaped) URL bytes. Null when the body holds no marker or is not laid out as expected (then the parsing path decides).
    /// </summary>
    internal static byte[]? SpliceVideoParts(ReadOnlySpan<byte> body)
    {
        byte[] textPrefix = Encoding.UTF8.GetBytes("{\"type\":\"text\",\"text\":\"" + JsonEncodedText.Encode(Marker).Value);
        byte[] videoPrefix = "{\"type\":\"video_url\",\"video_url\":{\"url\":\""u8.ToArray();
        using var output = new MemoryStream(body.Length + 64);
        bool any = false;
        while (true)
        {
            int start = body.IndexOf(textPrefix);
            if (start < 0)
            {
                break;
            }
            var rest = body[(start + textPrefix.Length)..];
            int quote = rest.IndexOf((byte)'"');  // base64 and the data: scheme never need an escaped quote
            if (quote < 0 || quote + 1 >= rest.Length || rest[quote + 1] != (byte)'}')
            {
                return null;
            }
            output.Write(body[..start]);
            output.Write(videoPrefix);
            output.Write(rest[..(quote + 2)]);  // the URL, its closing quote and the part's closing brace
            output.WriteByte((byte)'}');        // closes the video_url object
            body = rest[(quote + 2)..];
            any = true;
        }
        if (!any)
        {
            return null;
        }
        output.Write(body);
        return output.ToArray();
    }

    private static string? RewriteParsed(ReadOnlySpan<byte> body)
    {
        if (JsonNode.Parse(body) is not JsonObject root || root["messages"] is not JsonArray messages)
        {
            return null;
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
        return changed ? root.ToJsonString() : null;
    }
}
