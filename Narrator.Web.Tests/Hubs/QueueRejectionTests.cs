using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR.Client;
using Narrator.Web.Narrations;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Hubs;

/// <summary>A queue of one waiting place and one request per owner, with the real tiny model held mid-narration.</summary>
public sealed class QueueRejectionTests : IAsyncLifetime
{
    private NarratorServer server = null!;
    private ClipInfo clip = null!;

    public async Task InitializeAsync()
    {
        server = new NarratorServer(new Dictionary<string, string?>
        {
            ["Narrator:Queue:Capacity"] = "1",
            ["Narrator:Queue:PerOwnerLimit"] = "1",
        }, paced: true);
        using var http = server.Http();
        clip = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async());
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_full_queue_and_the_per_owner_limit_are_refused_at_once_with_the_reason()
    {
        var engine = await server.PacedEngine.WaitAsync(TimeSpan.FromSeconds(120));
        await using var first = server.Hub();
        await using var second = server.Hub();
        await using var third = server.Hub();
        await Task.WhenAll(first.StartAsync(), second.StartAsync(), third.StartAsync());
        string held = $"{PacedEngine.HoldMarker} full {Guid.NewGuid():N}";
        var running = NarrationHubTests.CollectAsync(first, NarrationHubTests.Request(clip.Id, held, 20));
        await engine.HoldingAsync(held).WaitAsync(TimeSpan.FromSeconds(120));
        var waiting = NarrationHubTests.CollectAsync(second, NarrationHubTests.Request(clip.Id, "waits in the one place"));
        await WaitUntilAsync(() => server.Services.GetRequiredService<Narrator.Web.Services.Queue.NarrationQueue>().Snapshot().Waiting == 1);

        var sameOwner = await NarrationHubTests.CollectAsync(first, NarrationHubTests.Request(clip.Id, "second from the same connection"));
        var queueFull = await NarrationHubTests.CollectAsync(third, NarrationHubTests.Request(clip.Id, "no room"));
        using var http = server.Http();
        using var httpFull = await http.PostAsJsonAsync("/api/narrations", new { clipId = clip.Id, prompt = "no room over http" });

        var ownerLimit = Assert.IsType<FailedEvent>(Assert.Single(sameOwner));
        Assert.Equal(FailureCodes.OwnerLimit, ownerLimit.Code);
        Assert.Contains("limit is 1", ownerLimit.Error);
        var full = Assert.IsType<FailedEvent>(Assert.Single(queueFull));
        Assert.Equal(FailureCodes.QueueFull, full.Code);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, httpFull.StatusCode);
        Assert.Contains("queue is full", (await httpFull.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);

        engine.Step(1000);
        Assert.IsType<CompletedEvent>((await running)[^1]);
        Assert.IsType<CompletedEvent>((await waiting)[^1]);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
