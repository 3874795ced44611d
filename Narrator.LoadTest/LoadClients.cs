using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Model.Templates;
using Narrator.Web.Narrations;

namespace Narrator.LoadTest;

/// <summary>The client process: N visitors at once, each uploading the clip over HTTP and narrating over SignalR.</summary>
internal static class LoadClients
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static string PromptFor(int client) => $"Load client {client}: describe the clip.";

    /// <param name="burst">Every client uploads first; all narrations then start at the same moment (stresses the queue, not the uploads).</param>
    public static async Task<int> RunAsync(Uri server, int clients, string clipPath, int maxNewTokens, bool burst, string outPath, CancellationToken cancellationToken)
    {
        byte[] clip = await File.ReadAllBytesAsync(clipPath, cancellationToken);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 }) { BaseAddress = server, Timeout = TimeSpan.FromMinutes(30) };
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var uploaded = new CountdownEvent(clients);
        var allUploaded = burst ? Task.Run(() => uploaded.Wait(cancellationToken), cancellationToken) : Task.CompletedTask;
        var runs = Enumerable.Range(0, clients).Select(i => RunClientAsync(i, server, http, clip, Path.GetFileName(clipPath), maxNewTokens,
            start.Task, () => { uploaded.Signal(); return allUploaded; }, cancellationToken)).ToList();
        start.SetResult();
        var results = await Task.WhenAll(runs);
        await File.WriteAllTextAsync(outPath, JsonSerializer.Serialize(results, Json), cancellationToken);
        return 0;
    }

    private static async Task<ClientResult> RunClientAsync(
        int client, Uri server, HttpClient http, byte[] clip, string fileName, int maxNewTokens, Task start, Func<Task> uploadDone,
        CancellationToken cancellationToken)
    {
        string prompt = PromptFor(client);
        var tokens = new List<long>();
        var positions = new List<int>();
        var streamed = new StringBuilder();
        long began = Stopwatch.GetTimestamp();
        double uploadMs = 0;
        string? id = null;
        bool signalled = false;
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server, "/hubs/narration"))
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
        try
        {
            await start;
            await hub.StartAsync(cancellationToken);
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(clip);
            file.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
            form.Add(file, "file", fileName);
            long uploadStart = Stopwatch.GetTimestamp();
            using var uploaded = await http.PostAsync("/api/clips", form, cancellationToken);
            uploadMs = Stopwatch.GetElapsedTime(uploadStart).TotalMilliseconds;
            signalled = true;
            await uploadDone();
            if (!uploaded.IsSuccessStatusCode)
            {
                return new ClientResult { Client = client, Prompt = prompt, Outcome = "error", Error = $"upload: {(int)uploaded.StatusCode} {await uploaded.Content.ReadAsStringAsync(cancellationToken)}" };
            }
            var info = (await uploaded.Content.ReadFromJsonAsync<ClipInfo>(Json, cancellationToken))!;
            var request = new NarrationRequest
            {
                ClipId = info.Id,
                Prompt = prompt,
                Options = new TemplateOptions { NFrames = 2, MinPixels = 3136, MaxPixels = 3136, MaxNewTokens = maxNewTokens },
            };
            NarrationEvent? final = null;
            await foreach (var narrationEvent in hub.StreamAsync<NarrationEvent>("Narrate", request, cancellationToken))
            {
                switch (narrationEvent)
                {
                    case TokenEvent token:
                        tokens.Add(Stopwatch.GetTimestamp());
                        streamed.Append(token.Text);
                        break;
                    case QueuedEvent queued:
                        positions.Add(queued.Position);
                        break;
                    case CompletedEvent or FailedEvent:
                        final = narrationEvent;
                        break;
                }
                id ??= narrationEvent.NarrationId.Length > 0 ? narrationEvent.NarrationId : null;
            }
            NarrationRecord? stored = id is null ? null
                : await http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", Json, cancellationToken);
            var failed = final as FailedEvent;
            return new ClientResult
            {
                Client = client,
                Prompt = prompt,
                NarrationId = id,
                Outcome = final switch
                {
                    CompletedEvent => "completed",
                    FailedEvent f when f.Code is FailureCodes.QueueFull or FailureCodes.OwnerLimit or FailureCodes.RateLimited => "rejected",
                    FailedEvent => "failed",
                    _ => "error",
                },
                FailureCode = failed?.Code,
                Error = failed?.Error,
                TokenReceived = tokens,
                StreamedText = streamed.ToString(),
                CompletedText = (final as CompletedEvent)?.Text,
                StoredText = stored?.Text,
                QueueSeconds = stored?.QueueSeconds,
                Positions = positions,
                UploadMilliseconds = uploadMs,
                TotalMilliseconds = Stopwatch.GetElapsedTime(began).TotalMilliseconds,
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (!signalled)
            {
                // Do not leave the other clients of a burst waiting for an upload that will never come.
                _ = uploadDone();
            }
            return new ClientResult
            {
                Client = client, Prompt = prompt, NarrationId = id, Outcome = "error", Error = ex.GetType().Name + ": " + ex.Message,
                TokenReceived = tokens, StreamedText = streamed.ToString(), UploadMilliseconds = uploadMs,
            };
        }
    }
}
