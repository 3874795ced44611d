using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR.Client;
using Narrator.Web.Narrations;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>Per-visitor rate limits on starts and uploads (ASP.NET rate limiter), shared by the HTTP API and the hub.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private NarratorServer server = null!;

    public Task InitializeAsync()
    {
        server = new NarratorServer(new Dictionary<string, string?>
        {
            ["Narrator:RateLimits:StartsPerMinute"] = "4",
            ["Narrator:RateLimits:UploadsPerMinute"] = "2",
        }, new ScriptedChatClient());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Starting_faster_than_the_rate_limit_is_a_429_problem_over_http()
    {
        using var http = server.Http();
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 6; i++)
        {
            // An unknown clip is refused after the limiter, so each attempt costs a permit but no model time.
            using var response = await http.PostAsJsonAsync("/api/narrations", new { clipId = "000000000000000000000000", prompt = "x" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter is not null);
                Assert.Contains("Too many requests", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
            }
        }

        Assert.Equal(4, statuses.Count(s => s == HttpStatusCode.BadRequest));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task The_hub_counts_against_the_same_visitors_start_budget_and_says_so_in_a_failed_event()
    {
        using var visitor = server.Visitor();
        for (int i = 0; i < 4; i++)
        {
            using var response = await visitor.Http.PostAsJsonAsync("/api/narrations", new { clipId = "000000000000000000000000", prompt = "x" });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        await using var hub = visitor.Hub();
        await hub.StartAsync();

        var events = new List<NarrationEvent>();
        await foreach (var narrationEvent in hub.StreamAsync<NarrationEvent>("Narrate", new NarrationRequest { ClipId = "000000000000000000000000", Prompt = "x" }))
        {
            events.Add(narrationEvent);
        }

        Assert.Equal(FailureCodes.RateLimited, Assert.IsType<FailedEvent>(Assert.Single(events)).Code);
    }

    [Fact]
    public async Task Uploading_faster_than_the_rate_limit_is_a_429_problem()
    {
        using var http = server.Http();
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 3; i++)
        {
            using var response = await NarratorServer.UploadAsync(http, "not a video"u8.ToArray(), "x.txt");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.UnsupportedMediaType, HttpStatusCode.UnsupportedMediaType, HttpStatusCode.TooManyRequests], statuses);
    }
}
