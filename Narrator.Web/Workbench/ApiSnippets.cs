using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Narrator.Web.Api;
using Narrator.Web.Narrations;

namespace Narrator.Web.Workbench;

/// <summary>
/// "Use via API": the page's current request (clip, template, prompt if edited, every setting) as a ready-to-run curl
/// script, a C# program and a JavaScript snippet against this server. The body is exactly what <c>POST
/// /api/narrations</c> takes, so what runs from code is what Describe would run.
/// </summary>
public static class ApiSnippets
{
    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions IndentedJson = new(BodyJson) { WriteIndented = true };

    /// <summary>The body <c>POST /api/narrations</c> takes for <paramref name="request"/> (its frame and generation settings flattened).</summary>
    public static StartNarrationBody Body(NarrationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new StartNarrationBody(request.Overrides())
        {
            ClipId = request.ClipId,
            Template = request.Template,
            Prompt = request.Prompt,
            Split = request.Split,
        };
    }

    /// <summary>
    /// A bash script: start the narration (keeping the visitor cookie in ./narrator-cookies), then print its events as
    /// they stream until it ends. Runs as is with curl and sed.
    /// </summary>
    public static string Curl(string baseUrl, NarrationRequest request)
    {
        string root = baseUrl.TrimEnd('/');
        string body = JsonSerializer.Serialize(Body(request), BodyJson);
        return $"""
            # Start the narration (the cookie file keeps you the same visitor for later calls)
            ID=$(curl -s -c narrator-cookies -b narrator-cookies -X POST '{root}{NarrationsApi.Route}' \
              -H 'Content-Type: application/json' \
              -d {ShellQuote(body)} | sed -E 's/.*"id":"([^"]+)".*/\1/')
            # Follow it: queued, started, stage, token..., then completed or failed
            curl -sN -b narrator-cookies "{root}{NarrationsApi.Route}/$ID/events"
            """;
    }

    /// <summary>A top-level C# program (.NET 9 or later, no packages) that starts the narration and writes the text as it streams.</summary>
    public static string CSharp(string baseUrl, NarrationRequest request)
    {
        string root = baseUrl.TrimEnd('/');
        string body = JsonSerializer.Serialize(Body(request), IndentedJson);
        return $$""""
            using System.Net.Http.Json;
            using System.Net.ServerSentEvents;
            using System.Text.Json;

            using var http = new HttpClient { BaseAddress = new Uri("{{root}}/") };
            var body = JsonDocument.Parse("""
            {{body}}
            """);
            var start = await http.PostAsJsonAsync("api/narrations", body);
            start.EnsureSuccessStatusCode();
            var accepted = await start.Content.ReadFromJsonAsync<JsonElement>();
            string eventsUrl = accepted.GetProperty("eventsUrl").GetString()!;

            await using var stream = await http.GetStreamAsync(eventsUrl.TrimStart('/'));
            await foreach (var item in SseParser.Create(stream).EnumerateAsync())
            {
                var e = JsonDocument.Parse(item.Data).RootElement;
                switch (item.EventType)
                {
                    case "token": Console.Write(e.GetProperty("text").GetString()); break;
                    case "queued": Console.Error.WriteLine($"position {e.GetProperty("position")}"); break;
                    case "completed": Console.WriteLine(); return;
                    case "failed": Console.Error.WriteLine(e.GetProperty("error").GetString()); return;
                }
            }
            """";
    }

    /// <summary>Browser or Node (18+) JavaScript: start the narration with fetch, then follow its server-sent events.</summary>
    public static string JavaScript(string baseUrl, NarrationRequest request)
    {
        string root = baseUrl.TrimEnd('/');
        string body = JsonSerializer.Serialize(Body(request), IndentedJson);
        return $$"""
            const base = "{{root}}";
            const start = await fetch(`${base}/api/narrations`, {
              method: "POST",
              credentials: "include",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify({{body}}),
            });
            if (!start.ok) throw new Error((await start.json()).detail);
            const { eventsUrl } = await start.json();

            // In a browser: new EventSource(base + eventsUrl); in Node, read the stream:
            const events = await fetch(base + eventsUrl);
            const decoder = new TextDecoder();
            let text = "";
            for await (const chunk of events.body) {
              for (const line of decoder.decode(chunk, { stream: true }).split("\n")) {
                if (!line.startsWith("data: ")) continue;
                const e = JSON.parse(line.slice(6));
                if (e.type === "token") text += e.text;
                if (e.type === "completed" || e.type === "failed") console.log(e.type, e.error ?? text);
              }
            }
            """;
    }

    // Single quotes keep everything literal in bash; a single quote itself is closed, escaped and reopened.
    private static string ShellQuote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
