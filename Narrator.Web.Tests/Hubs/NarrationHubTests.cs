using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Narrator.Model.Templates;
using Narrator.Web.Narrations;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Hubs;

/// <summary>One app on Kestrel with the real tiny demo model behind a pacing wrapper, shared by the hub tests.</summary>
public sealed class TinyModelServerFixture : IAsyncLifetime
{
    public NarratorServer Server { get; private set; } = null!;

    public ClipInfo Clip { get; private set; } = null!;

    public PacedEngine Engine { get; private set; } = null!;

    /// <summary>Tokens one request may hold on this server's model: the demo model written with a short context, so a request can ask for more.</summary>
    public const int ContextTokens = 4096;

    /// <summary>The demo model this server runs on (written with the short context).</summary>
    public DemoModel Model { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Model = await DemoModel.WriteAsync(ContextTokens);
        Server = new NarratorServer(new Dictionary<string, string?>
        {
            ["Narrator:Queue:Capacity"] = "16",
            ["Narrator:Queue:PerOwnerLimit"] = "2",
            ["Narrator:Queue:MaxNewTokensLimit"] = "8192",
            ["Narrator:Model:Path"] = Model.Directory,
        }, paced: true);
        using var http = Server.Http();
        Clip = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async());
        Engine = await Server.PacedEngine.WaitAsync(TimeSpan.FromSeconds(120));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Model.Dispose();
    }
}

/// <summary>Narrate/Cancel over the real SignalR client against the real tiny model.</summary>
[Collection(TinyModelCollection.Name)]
public sealed class NarrationHubTests(TinyModelServerFixture fixture)
{
    /// <summary>Two 56x56 frames (4 visual tokens) and a few tokens: the whole pipeline, quickly.</summary>
    public static NarrationRequest Request(string clipId, string prompt, int maxNewTokens = 8) => new()
    {
        ClipId = clipId,
        Prompt = prompt,
        Options = new TemplateOptions { NFrames = 2, MinPixels = 3136, MaxPixels = 3136, MaxNewTokens = maxNewTokens },
    };

    [Fact]
    public async Task One_client_gets_queued_then_stages_then_tokens_then_completed_and_the_tokens_are_the_stored_text()
    {
        await using var hub = await ConnectAsync();

        var events = await CollectAsync(hub, Request(fixture.Clip.Id, "Describe the clip."));

        var queued = Assert.IsType<QueuedEvent>(events[0]);
        Assert.True(queued.Position >= 1);
        Assert.IsType<StartedEvent>(events.SkipWhile(e => e is QueuedEvent).First());
        Assert.Equal(["preparing frames", "encoding vision", "prefill", "generating"], events.OfType<StageEvent>().Select(e => e.Stage));
        var completed = Assert.IsType<CompletedEvent>(events[^1]);
        string streamed = string.Concat(events.OfType<TokenEvent>().Select(t => t.Text));
        Assert.NotEmpty(streamed);
        Assert.Equal(streamed, completed.Text);
        Assert.Equal(8, completed.Stats.GeneratedTokens);
        Assert.Equal(2, completed.Stats.Frames);
        using var http = fixture.Server.Http();
        var stored = await http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{completed.NarrationId}", NarratorServer.Json);
        Assert.Equal(NarrationState.Completed, stored!.State);
        Assert.Equal(streamed, stored.Text);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    public async Task Concurrent_clients_are_served_one_at_a_time_with_falling_positions_and_each_gets_exactly_its_own_stream(int clients)
    {
        var connections = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => ConnectAsync()));
        try
        {
            var runs = await Task.WhenAll(connections.Select((hub, i) => CollectAsync(hub, Request(fixture.Clip.Id, $"Client {i}: describe the clip.", 6))));

            using var http = fixture.Server.Http();
            var records = new List<NarrationRecord>();
            for (int i = 0; i < clients; i++)
            {
                var events = runs[i];
                var completed = Assert.IsType<CompletedEvent>(events[^1]);
                Assert.Single(events, e => e is CompletedEvent or FailedEvent);
                Assert.All(events, e => Assert.Equal(completed.NarrationId, e.NarrationId));
                var positions = events.OfType<QueuedEvent>().Select(q => q.Position).ToList();
                Assert.Equal(positions.OrderByDescending(p => p), positions);
                Assert.Equal(string.Concat(events.OfType<TokenEvent>().Select(t => t.Text)), completed.Text);
                var record = (await http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{completed.NarrationId}", NarratorServer.Json))!;
                Assert.Equal($"Client {i}: describe the clip.", record.Prompt);
                Assert.Equal(completed.Text, record.Text);
                records.Add(record);
            }
            Assert.Equal(clients, records.Select(r => r.Id).Distinct().Count());
            // Serialised: no two narrations were on the model at the same time.
            var byStart = records.OrderBy(r => r.StartedAt).ToList();
            for (int i = 1; i < byStart.Count; i++)
            {
                Assert.True(byStart[i].StartedAt >= byStart[i - 1].FinishedAt,
                    $"{byStart[i].Id} started at {byStart[i].StartedAt:O} before {byStart[i - 1].Id} finished at {byStart[i - 1].FinishedAt:O}");
            }
        }
        finally
        {
            foreach (var hub in connections)
            {
                await hub.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Cancelling_a_queued_request_removes_it_and_cancelling_the_running_one_stops_it()
    {
        await using var hub = await ConnectAsync();
        await using var other = await ConnectAsync();
        string heldPrompt = $"{PacedEngine.HoldMarker} cancel-running {Guid.NewGuid():N}";
        var running = StartCollecting(hub, Request(fixture.Clip.Id, heldPrompt, 50));
        var runningId = await running.IdAsync;
        await fixture.Engine.HoldingAsync(heldPrompt).WaitAsync(TimeSpan.FromSeconds(60));
        var queued = StartCollecting(other, Request(fixture.Clip.Id, "queued then cancelled"));
        var queuedId = await queued.IdAsync;

        Assert.True(await other.InvokeAsync<bool>("Cancel", queuedId));
        var queuedEvents = await queued.Completion;
        Assert.True(await hub.InvokeAsync<bool>("Cancel", runningId));
        var runningEvents = await running.Completion;

        Assert.Equal(FailureCodes.Cancelled, Assert.IsType<FailedEvent>(queuedEvents[^1]).Code);
        Assert.DoesNotContain(queuedEvents, e => e is StartedEvent);
        Assert.Equal(FailureCodes.Cancelled, Assert.IsType<FailedEvent>(runningEvents[^1]).Code);
        Assert.Empty(runningEvents.OfType<TokenEvent>());
        Assert.False(await hub.InvokeAsync<bool>("Cancel", runningId));
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_frees_the_model_for_the_next_request_without_another_token()
    {
        var leaving = await ConnectAsync();
        await using var next = await ConnectAsync();
        string heldPrompt = $"{PacedEngine.HoldMarker} disconnect {Guid.NewGuid():N}";
        var tokens = new List<string>();
        var stream = leaving.StreamAsync<NarrationEvent>("Narrate", Request(fixture.Clip.Id, heldPrompt, 100));
        var nextRun = (Task<List<NarrationEvent>>?)null;
        string? leavingId = null;
        await foreach (var narrationEvent in stream)
        {
            leavingId ??= narrationEvent.NarrationId;
            if (narrationEvent is StartedEvent)
            {
                nextRun = CollectAsync(next, Request(fixture.Clip.Id, "after the disconnect"));
                fixture.Engine.Step(3);
            }
            if (narrationEvent is TokenEvent token && tokens.Count < 3)
            {
                tokens.Add(token.Text);
                if (tokens.Count == 3)
                {
                    break;
                }
            }
        }
        await leaving.DisposeAsync();

        // No further Step(): if the disconnect did not cancel the held narration, the next request would never start.
        var nextEvents = await nextRun!.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.IsType<CompletedEvent>(nextEvents[^1]);
        Assert.Equal(3, fixture.Engine.TokensFor(heldPrompt));
        using var http = fixture.Server.Http();
        var record = (await http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{leavingId}", NarratorServer.Json))!;
        Assert.Equal(NarrationState.Failed, record.State);
        Assert.Contains(record.ErrorCode, new[] { FailureCodes.Disconnected });
        Assert.Equal(string.Concat(tokens), record.Text);
    }

    [Fact]
    public async Task An_invalid_request_gets_one_failed_event_naming_the_problem()
    {
        await using var hub = await ConnectAsync();

        var unknownClip = await CollectAsync(hub, Request("000000000000000000000000", "x"));
        var badOption = await CollectAsync(hub, Request(fixture.Clip.Id, "x") with { Options = new TemplateOptions { Temperature = 9 } });
        var unknownTemplate = await CollectAsync(hub, new NarrationRequest { ClipId = fixture.Clip.Id, Template = "no-such-template" });

        Assert.Contains("No clip with id", Assert.IsType<FailedEvent>(Assert.Single(unknownClip)).Error);
        var failed = Assert.IsType<FailedEvent>(Assert.Single(badOption));
        Assert.Equal(FailureCodes.InvalidRequest, failed.Code);
        Assert.Contains("temperature", failed.Error);
        Assert.Contains("no-such-template", Assert.IsType<FailedEvent>(Assert.Single(unknownTemplate)).Error);
    }

    [Fact]
    public async Task A_request_that_cannot_fit_the_context_gets_one_failed_event_with_the_numbers_and_never_queues()
    {
        await using var hub = await ConnectAsync();

        var events = await CollectAsync(hub, Request(fixture.Clip.Id, "Describe the clip.", maxNewTokens: 8192));

        var failed = Assert.IsType<FailedEvent>(Assert.Single(events));
        Assert.Equal(FailureCodes.ContextExceeded, failed.Code);
        Assert.Equal("", failed.NarrationId);
        Assert.Matches(@"needs \d+ prompt tokens \(4 of them for the frames\) plus up to 8,192 new tokens, [\d,]+ in all, but the model holds 4,096 tokens per request", failed.Error);
    }

    private async Task<HubConnection> ConnectAsync()
    {
        var hub = fixture.Server.Hub();
        await hub.StartAsync();
        return hub;
    }

    internal static async Task<List<NarrationEvent>> CollectAsync(HubConnection hub, NarrationRequest request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var events = new List<NarrationEvent>();
        await foreach (var narrationEvent in hub.StreamAsync<NarrationEvent>("Narrate", request, timeout.Token))
        {
            events.Add(narrationEvent);
        }
        return events;
    }

    private static RunningStream StartCollecting(HubConnection hub, NarrationRequest request)
    {
        var id = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<List<NarrationEvent>> Run()
        {
            var events = new List<NarrationEvent>();
            await foreach (var narrationEvent in hub.StreamAsync<NarrationEvent>("Narrate", request))
            {
                id.TrySetResult(narrationEvent.NarrationId);
                events.Add(narrationEvent);
            }
            return events;
        }
        return new RunningStream(id.Task, Run());
    }

    private sealed record RunningStream(Task<string> IdAsync, Task<List<NarrationEvent>> Completion);
}

[CollectionDefinition(Name)]
public sealed class TinyModelCollection : ICollectionFixture<TinyModelServerFixture>
{
    public const string Name = "tiny model server";
}
