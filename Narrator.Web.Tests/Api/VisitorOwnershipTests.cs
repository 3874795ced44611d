using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Narrator.Model.Media;
using Narrator.Web.Api;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Visitors;
using Narrator.Web.Tests.Hubs;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// One visitor, one owner: a random id in a cookie decides whose narrations, clips and templates are listed, cancelled,
/// changed or deleted, over HTTP and SignalR alike. Two visitors here have two cookie jars and two client addresses
/// (127.0.0.1 and 127.0.0.2). Reading one thing by its id stays open to anyone who has the id.
/// </summary>
public sealed class VisitorOwnershipTests
{
    private const string AddressA = "127.0.0.1";
    private const string AddressB = "127.0.0.2";

    [Fact]
    public async Task A_client_gets_one_http_only_lax_visitor_cookie_on_its_first_call_and_keeps_it()
    {
        await using var server = new NarratorServer(engine: new ScriptedChatClient());
        using var visitor = server.Visitor();

        using var first = await visitor.Http.GetAsync("/api/templates");
        using var second = await visitor.Http.GetAsync("/api/narrations");
        using var page = await server.Http().GetAsync("/");

        string setCookie = Assert.Single(first.Headers.GetValues("Set-Cookie"), c => c.StartsWith(VisitorCookie.CookieName + "=", StringComparison.Ordinal));
        Assert.Matches("^narrator-visitor=[0-9a-f]{32};", setCookie);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.False(second.Headers.Contains("Set-Cookie"), "a client that sent its cookie must not get a new one");
        Assert.True(VisitorCookie.IsValidId(visitor.VisitorId));
        Assert.Contains(page.Headers.GetValues("Set-Cookie"), c => c.StartsWith(VisitorCookie.CookieName + "=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_malformed_cookie_is_replaced_by_a_fresh_visitor_id()
    {
        await using var server = new NarratorServer(engine: new ScriptedChatClient());
        using var http = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/templates");
        request.Headers.Add("Cookie", $"{VisitorCookie.CookieName}=not-a-visitor-id");

        using var response = await http.SendAsync(request);

        Assert.Matches("^narrator-visitor=[0-9a-f]{32};", Assert.Single(response.Headers.GetValues("Set-Cookie")));
    }

    [Fact]
    public async Task Visitor_B_lists_none_of_A_s_narrations_but_can_read_and_export_one_by_its_id()
    {
        await using var server = new NarratorServer(engine: new ScriptedChatClient(tokens: 3));
        using var a = server.Visitor(AddressA);
        using var b = server.Visitor(AddressB);
        var clip = await NarratorServer.UploadClipAsync(a.Http, await TestClips.Mp4Async());
        string id = await StartAsync(a, clip.Id, "A's narration");
        var finished = await WaitEndedAsync(a, id);
        string ownOfB = await StartAsync(b, clip.Id, "B narrates A's clip by its id");
        await WaitEndedAsync(b, ownOfB);

        var listedForA = await ListAsync(a);
        var listedForB = await ListAsync(b);
        var readByB = await b.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json);
        using var exportedByB = await b.Http.GetAsync($"/api/narrations/{id}/export?format=txt");
        using var eventsByB = await b.Http.GetAsync($"/api/narrations/{id}/events");

        Assert.Equal(NarrationState.Completed, finished.State);
        Assert.Equal([id], listedForA.Select(r => r.Id));
        Assert.Equal([ownOfB], listedForB.Select(r => r.Id));
        Assert.Equal(finished.Text, readByB!.Text);
        Assert.Equal(HttpStatusCode.OK, exportedByB.StatusCode);
        Assert.Contains(finished.Text.Trim(), await exportedByB.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, eventsByB.StatusCode);
    }

    [Fact]
    public async Task Visitor_B_cannot_cancel_A_s_narration_over_http_or_signalr_nor_change_or_delete_A_s_clip()
    {
        var engine = new ScriptedChatClient(tokens: 50, gated: true);
        await using var server = new NarratorServer(engine: engine);
        using var a = server.Visitor(AddressA);
        using var b = server.Visitor(AddressB);
        var clip = await NarratorServer.UploadClipAsync(a.Http, await TestClips.Mp4Async());
        string id = await StartAsync(a, clip.Id, "held");
        await engine.FirstTokenRequested.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await using var hubB = b.Hub();
        await hubB.StartAsync();

        using var cancelByB = await b.Http.DeleteAsync($"/api/narrations/{id}");
        bool cancelledOverHub = await hubB.InvokeAsync<bool>("Cancel", id);
        using var deleteClipByB = await b.Http.DeleteAsync($"/api/clips/{clip.Id}");
        using var replanByB = await b.Http.PostAsJsonAsync($"/api/clips/{clip.Id}/plan", new FrameOptions { NFrames = 4 }, NarratorServer.Json);
        var stillRunning = await a.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json);
        using var cancelByA = await a.Http.DeleteAsync($"/api/narrations/{id}");
        using var deleteClipByA = await a.Http.DeleteAsync($"/api/clips/{clip.Id}");

        foreach (var refused in new[] { cancelByB, deleteClipByB, replanByB })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("not_owner", problem.GetProperty("code").GetString());
            Assert.Contains("another visitor", problem.GetProperty("detail").GetString());
        }
        Assert.False(cancelledOverHub);
        Assert.Equal(NarrationState.Running, stillRunning!.State);
        Assert.Equal(HttpStatusCode.NoContent, cancelByA.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleteClipByA.StatusCode);
        Assert.Equal(FailureCodes.Cancelled, (await WaitEndedAsync(a, id)).ErrorCode);
    }

    [Fact]
    public async Task Visitor_B_does_not_see_A_s_template_listed_and_cannot_change_or_delete_it_but_may_narrate_with_it()
    {
        await using var server = new NarratorServer(engine: new ScriptedChatClient(tokens: 2));
        using var a = server.Visitor(AddressA);
        using var b = server.Visitor(AddressB);
        using var created = await a.Http.PostAsJsonAsync("/api/templates", Template("a-lighting"));
        var clip = await NarratorServer.UploadClipAsync(b.Http, await TestClips.Mp4Async());

        var listedForB = await b.Http.GetFromJsonAsync<List<JsonElement>>("/api/templates");
        var listedForA = await a.Http.GetFromJsonAsync<List<JsonElement>>("/api/templates");
        using var changedByB = await b.Http.PutAsJsonAsync("/api/templates/a-lighting", Template("a-lighting", "Something else."));
        using var deletedByB = await b.Http.DeleteAsync("/api/templates/a-lighting");
        using var readByB = await b.Http.GetAsync("/api/templates/a-lighting");
        using var narratedByB = await b.Http.PostAsJsonAsync("/api/narrations", new { clipId = clip.Id, template = "a-lighting" });
        using var changedByA = await a.Http.PutAsJsonAsync("/api/templates/a-lighting", Template("a-lighting", "Only the shadows."));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain(listedForB!, t => t.GetProperty("id").GetString() == "a-lighting");
        Assert.Contains(listedForA!, t => t.GetProperty("id").GetString() == "a-lighting");
        Assert.Equal(HttpStatusCode.Forbidden, changedByB.StatusCode);
        Assert.Equal("not_owner", (await changedByB.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, deletedByB.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readByB.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, narratedByB.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changedByA.StatusCode);
    }

    [Fact]
    public async Task The_same_cookie_from_another_address_is_the_same_visitor_and_another_cookie_from_the_same_address_is_not()
    {
        await using var server = new NarratorServer(engine: new ScriptedChatClient(tokens: 2));
        using var a = server.Visitor(AddressA);
        var clip = await NarratorServer.UploadClipAsync(a.Http, await TestClips.Mp4Async());
        string id = await StartAsync(a, clip.Id, "mine");
        await WaitEndedAsync(a, id);
        using var aElsewhere = new TestVisitor(server.BaseAddress, IPAddress.Parse(AddressB), a.Cookies);
        using var neighbour = server.Visitor(AddressA);

        Assert.Equal([id], (await ListAsync(aElsewhere)).Select(r => r.Id));
        Assert.Empty(await ListAsync(neighbour));
        using var deletedFromElsewhere = await aElsewhere.Http.DeleteAsync($"/api/clips/{clip.Id}");
        Assert.Equal(HttpStatusCode.NoContent, deletedFromElsewhere.StatusCode);
    }

    [Fact]
    public async Task The_per_visitor_limit_counts_every_client_of_that_visitor_and_not_other_visitors()
    {
        var engine = new ScriptedChatClient(tokens: 20, gated: true);
        await using var server = new NarratorServer(new Dictionary<string, string?> { ["Narrator:Queue:PerOwnerLimit"] = "1" }, engine);
        using var a = server.Visitor(AddressA);
        using var b = server.Visitor(AddressB);
        var clip = await NarratorServer.UploadClipAsync(a.Http, await TestClips.Mp4Async());
        string running = await StartAsync(a, clip.Id, "A over HTTP");
        await using var hubA = a.Hub();
        await hubA.StartAsync();

        var refused = await NarrationHubTests.CollectAsync(hubA, new NarrationRequest { ClipId = clip.Id, Prompt = "A over the hub" });
        using var acceptedForB = await b.Http.PostAsJsonAsync("/api/narrations", new { clipId = clip.Id, prompt = "B" });

        Assert.Equal(FailureCodes.OwnerLimit, Assert.IsType<FailedEvent>(Assert.Single(refused)).Code);
        Assert.Equal(HttpStatusCode.Accepted, acceptedForB.StatusCode);
        engine.Step(1000);
        Assert.Equal(NarrationState.Completed, (await WaitEndedAsync(a, running)).State);
    }

    [Fact]
    public async Task The_per_address_limit_holds_for_a_caller_who_drops_its_cookie_every_time()
    {
        var engine = new ScriptedChatClient(tokens: 20, gated: true);
        await using var server = new NarratorServer(new Dictionary<string, string?> { ["Narrator:Queue:PerAddressLimit"] = "2" }, engine);
        using var uploader = server.Visitor(AddressB);
        var clip = await NarratorServer.UploadClipAsync(uploader.Http, await TestClips.Mp4Async());

        var statuses = new List<HttpStatusCode>();
        string? lastCode = null;
        for (int i = 0; i < 3; i++)
        {
            using var cookieless = server.Visitor(AddressA);
            using var response = await cookieless.Http.PostAsJsonAsync("/api/narrations", new { clipId = clip.Id, prompt = $"fresh visitor {i}" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                lastCode = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
            }
        }
        using var fromElsewhere = await uploader.Http.PostAsJsonAsync("/api/narrations", new { clipId = clip.Id, prompt = "another address" });

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(FailureCodes.AddressLimit, lastCode);
        Assert.Equal(HttpStatusCode.Accepted, fromElsewhere.StatusCode);
        engine.Step(1000);
    }

    [Fact]
    public async Task Closing_one_hub_connection_cancels_only_what_it_started_not_the_same_visitors_other_connections()
    {
        var engine = new ScriptedChatClient(tokens: 30, gated: true);
        await using var server = new NarratorServer(new Dictionary<string, string?> { ["Narrator:Queue:PerOwnerLimit"] = "5" }, engine);
        using var a = server.Visitor(AddressA);
        var clip = await NarratorServer.UploadClipAsync(a.Http, await TestClips.Mp4Async());
        var closing = a.Hub();
        await using var staying = a.Hub();
        await closing.StartAsync();
        await staying.StartAsync();
        var closingId = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var closingRun = Task.Run(async () =>
        {
            await foreach (var narrationEvent in closing.StreamAsync<NarrationEvent>("Narrate", new NarrationRequest { ClipId = clip.Id, Prompt = "tab that closes" }))
            {
                closingId.TrySetResult(narrationEvent.NarrationId);
            }
        });
        string closingNarration = await closingId.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await engine.FirstTokenRequested.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var stayingRun = NarrationHubTests.CollectAsync(staying, new NarrationRequest { ClipId = clip.Id, Prompt = "tab that stays" });
        string overHttp = await StartAsync(a, clip.Id, "same visitor over HTTP");

        await closing.DisposeAsync();
        // The engine is gated: the closed tab's narration can only end by being cancelled.
        var closed = await WaitEndedAsync(a, closingNarration);
        engine.Step(1000);
        var stayed = await stayingRun.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(FailureCodes.Disconnected, closed.ErrorCode);
        Assert.IsType<CompletedEvent>(stayed[^1]);
        Assert.Equal(NarrationState.Completed, (await WaitEndedAsync(a, overHttp)).State);
        // The closed connection's own stream ends one way or another; only its narration's fate matters here.
        await closingRun.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Theory]
    [InlineData(HttpTransportType.LongPolling)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    public async Task A_hub_connection_on_any_transport_narrates_as_the_visitor_of_its_cookie(HttpTransportType transport)
    {
        await using var server = new NarratorServer(engine: new ScriptedChatClient(tokens: 2));
        using var a = server.Visitor(AddressA);
        var clip = await NarratorServer.UploadClipAsync(a.Http, await TestClips.Mp4Async());
        await using var hub = a.Hub(transport);
        await hub.StartAsync();

        var events = await NarrationHubTests.CollectAsync(hub, new NarrationRequest { ClipId = clip.Id, Prompt = "over " + transport });

        var completed = Assert.IsType<CompletedEvent>(events[^1]);
        Assert.Equal([completed.NarrationId], (await ListAsync(a)).Select(r => r.Id));
    }

    [Fact]
    public async Task The_admin_key_lists_every_visitor_s_narrations_and_a_wrong_key_lists_only_your_own()
    {
        const string key = "an-admin-key-long-enough-1234";
        await using var server = new NarratorServer(new Dictionary<string, string?> { ["Narrator:Admin:ApiKey"] = key }, new ScriptedChatClient(tokens: 2));
        using var a = server.Visitor(AddressA);
        using var b = server.Visitor(AddressB);
        using var admin = server.Visitor();
        var clip = await NarratorServer.UploadClipAsync(a.Http, await TestClips.Mp4Async());
        string ofA = await StartAsync(a, clip.Id, "a");
        string ofB = await StartAsync(b, clip.Id, "b");
        await WaitEndedAsync(a, ofA);
        await WaitEndedAsync(b, ofB);

        var asAdmin = await ListAsync(admin, key);
        var withWrongKey = await ListAsync(b, key + "x");

        Assert.Equal(new[] { ofA, ofB }.Order(), asAdmin.Select(r => r.Id).Order());
        Assert.Equal([ofB], withWrongKey.Select(r => r.Id));
    }

    [Fact]
    public void A_short_admin_key_stops_the_start_naming_the_setting()
    {
        var error = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            new NarratorServer(new Dictionary<string, string?> { ["Narrator:Admin:ApiKey"] = "short" }, new ScriptedChatClient()));

        Assert.Contains("Narrator:Admin:ApiKey", error.Message);
    }

    [Fact]
    public async Task A_visitor_still_sees_their_history_and_templates_after_a_restart_on_the_same_data_folder_and_others_still_do_not()
    {
        string data = Path.Combine(Path.GetTempPath(), "narrator-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            string id;
            TestVisitor a;
            await using (var before = new NarratorServer(engine: new ScriptedChatClient(tokens: 3), dataPath: data))
            {
                a = before.Visitor(AddressA);
                var clip = await NarratorServer.UploadClipAsync(a.Http, await TestClips.Mp4Async());
                id = await StartAsync(a, clip.Id, "before the restart");
                await WaitEndedAsync(a, id);
                using var template = await a.Http.PostAsJsonAsync("/api/templates", Template("kept-template"));
                Assert.Equal(HttpStatusCode.Created, template.StatusCode);
            }
            await using var after = new NarratorServer(engine: new ScriptedChatClient(tokens: 3), dataPath: data);
            using var aAgain = a.On(after.BaseAddress);
            using var b = after.Visitor(AddressB);
            a.Dispose();

            var listed = await ListAsync(aAgain);
            var templates = await aAgain.Http.GetFromJsonAsync<List<JsonElement>>("/api/templates");

            Assert.Equal([id], listed.Select(r => r.Id));
            Assert.Equal(NarrationState.Completed, listed[0].State);
            Assert.Contains(templates!, t => t.GetProperty("id").GetString() == "kept-template");
            Assert.Empty(await ListAsync(b));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    internal static object Template(string id, string prompt = "Describe the lighting only.") => new
    {
        id,
        name = new { zh = "光线", en = "Lighting" },
        description = new { zh = "", en = "" },
        prompt,
        output = "prose",
        defaults = new { maxNewTokens = 2 },
    };

    internal static async Task<string> StartAsync(TestVisitor visitor, string clipId, string prompt)
    {
        using var response = await visitor.Http.PostAsJsonAsync("/api/narrations", new { clipId, prompt, maxNewTokens = 50, nFrames = 2, maxPixels = 3136, minPixels = 3136 });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<NarrationAccepted>(NarratorServer.Json))!.Id;
    }

    internal static Task<NarrationRecord> WaitEndedAsync(TestVisitor visitor, string id) => WaitForAsync(async () =>
        await visitor.Http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json) is { State: not (NarrationState.Queued or NarrationState.Running) } ended
            ? ended : null);

    internal static async Task<List<NarrationRecord>> ListAsync(TestVisitor visitor, string? adminKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/narrations?limit=100");
        if (adminKey is not null)
        {
            request.Headers.Add("X-Narrator-Admin-Key", adminKey);
        }
        using var response = await visitor.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<List<NarrationRecord>>(NarratorServer.Json))!;
    }

    internal static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            await Task.Delay(25, timeout.Token);
        }
    }
}
