using System.Text.Json;

namespace Narrator.Web.Tests.Services;

/// <summary>One server-sent event as a client sees it.</summary>
internal sealed record SseEvent(string? Id, string Name, JsonElement Data);

/// <summary>Reads a narration's server-sent events to the end of the stream, as a plain HTTP client would.</summary>
internal static class SseReader
{
    public static async Task<List<SseEvent>> ReadAllAsync(HttpClient http, string url, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<SseEvent>();
        string? id = null, name = null, data = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null && data is not null)
                {
                    events.Add(new SseEvent(id, name, JsonDocument.Parse(data).RootElement.Clone()));
                }
                id = name = data = null;
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
        }
        return events;
    }
}
