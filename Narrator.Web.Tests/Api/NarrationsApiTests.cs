using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR.Client;
using Narrator.Model.Generation;
using Narrator.Model.Templates;
using Narrator.Web.Api;
using Narrator.Web.Hubs;
using Narrator.Web.Narrations;
using Narrator.Web.Tests.Hubs;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>The HTTP API for non-browser clients, against the real tiny model.</summary>
[Collection(TinyModelCollection.Name)]
public sealed class NarrationsApiTests(TinyModelServerFixture fixture) : IDisposable
{
    private readonly HttpClient http = fixture.Server.Http();

    public void Dispose() => http.Dispose();

    private object Body(string prompt, int maxNewTokens = 6, string? template = null) => new
    {
        clipId = fixture.Clip.Id,
        prompt,
        template,
        maxNewTokens,
        nFrames = 2,
        minPixels = 3136,
        maxPixels = 3136,
    };

    [Fact]
    public async Task Post_returns_202_with_an_id_and_the_sse_stream_names_each_event_and_ends_with_the_stored_text()
    {
        using var started = await http.PostAsJsonAsync("/api/narrations", Body("Describe it over HTTP."));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var accepted = (await started.Content.ReadFromJsonAsync<NarrationAccepted>(NarratorServer.Json))!;
        Assert.Equal($"/api/narrations/{accepted.Id}", started.Headers.Location?.OriginalString);

        var events = await ReadSseAsync(accepted.EventsUrl);

        Assert.Equal("queued", events[0].Name);
        Assert.Contains(events, e => e.Name == "started");
        Assert.Equal("completed", events[^1].Name);
        Assert.All(events, e => Assert.Equal(e.Name, e.Data.GetProperty("type").GetString()));
        string streamed = string.Concat(events.Where(e => e.Name == "token").Select(e => e.Data.GetProperty("text").GetString()));
        Assert.Equal(streamed, events[^1].Data.GetProperty("text").GetString());
        var record = (await http.GetFromJsonAsync<NarrationRecord>(accepted.StatusUrl, NarratorServer.Json))!;
        Assert.Equal(NarrationState.Completed, record.State);
        Assert.Equal(streamed, record.Text);
        Assert.Equal(6, record.Options.Generation.MaxNewTokens);
        Assert.Equal(2, record.Options.Frames.NFrames);
    }

    [Fact]
    public async Task Sse_resumes_after_last_event_id()
    {
        using var started = await http.PostAsJsonAsync("/api/narrations", Body("Resume me."));
        var accepted = (await started.Content.ReadFromJsonAsync<NarrationAccepted>(NarratorServer.Json))!;
        var all = await ReadSseAsync(accepted.EventsUrl);

        var resumed = await ReadSseAsync(accepted.EventsUrl, lastEventId: all[^3].Id);

        Assert.Equal(all.TakeLast(2).Select(e => (e.Id, e.Name)), resumed.Select(e => (e.Id, e.Name)));
    }

    [Fact]
    public async Task Template_defaults_apply_and_request_fields_override_them()
    {
        using var started = await http.PostAsJsonAsync("/api/narrations", new
        {
            clipId = fixture.Clip.Id, template = "tags", maxNewTokens = 4, nFrames = 2, minPixels = 3136, maxPixels = 3136,
        });
        var accepted = (await started.Content.ReadFromJsonAsync<NarrationAccepted>(NarratorServer.Json))!;
        await ReadSseAsync(accepted.EventsUrl);

        var record = (await http.GetFromJsonAsync<NarrationRecord>(accepted.StatusUrl, NarratorServer.Json))!;
        var tags = TemplateCatalogue.BuiltIn.Get("tags");
        Assert.Equal("tags", record.Template);
        Assert.Equal(tags.Render(), record.Prompt);
        Assert.Equal(4, record.Options.Generation.MaxNewTokens);
        var expected = tags.ResolveOptions();
        Assert.Equal(expected.Generation.Temperature, record.Options.Generation.Temperature);
        Assert.Equal(expected.Generation.RepetitionPenalty, record.Options.Generation.RepetitionPenalty);
    }

    [Fact]
    public async Task Delete_cancels_and_a_second_delete_says_it_already_finished()
    {
        string prompt = $"{PacedEngine.HoldMarker} http-cancel {Guid.NewGuid():N}";
        using var started = await http.PostAsJsonAsync("/api/narrations", Body(prompt, 50));
        var accepted = (await started.Content.ReadFromJsonAsync<NarrationAccepted>(NarratorServer.Json))!;
        await fixture.Engine.HoldingAsync(prompt).WaitAsync(TimeSpan.FromSeconds(120));

        using var cancelled = await http.DeleteAsync(accepted.StatusUrl);
        var events = await ReadSseAsync(accepted.EventsUrl);
        using var again = await http.DeleteAsync(accepted.StatusUrl);

        Assert.Equal(HttpStatusCode.NoContent, cancelled.StatusCode);
        Assert.Equal("failed", events[^1].Name);
        Assert.Equal(FailureCodes.Cancelled, events[^1].Data.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task History_lists_finished_narrations_newest_first_and_filters_by_clip()
    {
        using var started = await http.PostAsJsonAsync("/api/narrations", Body("For the history."));
        var accepted = (await started.Content.ReadFromJsonAsync<NarrationAccepted>(NarratorServer.Json))!;
        await ReadSseAsync(accepted.EventsUrl);

        var list = (await http.GetFromJsonAsync<List<NarrationRecord>>($"/api/narrations?clipId={fixture.Clip.Id}&limit=50", NarratorServer.Json))!;
        var none = (await http.GetFromJsonAsync<List<NarrationRecord>>("/api/narrations?clipId=000000000000000000000000", NarratorServer.Json))!;
        using var badLimit = await http.GetAsync("/api/narrations?limit=5000");

        Assert.Contains(list, r => r.Id == accepted.Id && r.ClipLabel == fixture.Clip.Label);
        Assert.Equal(list.OrderByDescending(r => r.FinishedAt).Select(r => r.Id), list.Select(r => r.Id));
        Assert.Empty(none);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    public static TheoryData<string, string, string> InvalidBodies() => new()
    {
        { """{"prompt":"x"}""", "no clip id", "clip id" },
        { """{"clipId":"000000000000000000000000","prompt":"x"}""", "unknown clip", "No clip with id" },
        { """{"clipId":"CLIP","prompt":"x","maxNewTokens":0}""", "maxNewTokens 0", "maxNewTokens" },
        { """{"clipId":"CLIP","prompt":"x","temperature":-1}""", "negative temperature", "temperature" },
        { """{"clipId":"CLIP","template":"nope"}""", "unknown template", "nope" },
        { """{"clipId":"CLIP","prompt":"x","maxNewTokens":"many"}""", "wrong JSON type", "JSON" },
        { """{"clipId":""", "truncated JSON", "JSON" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task An_invalid_start_is_a_400_problem_naming_what_is_wrong(string json, string _, string mention)
    {
        using var content = new StringContent(json.Replace("CLIP", fixture.Clip.Id, StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/narrations", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDetails>())!;
        Assert.Contains(mention, problem.Detail);
        Assert.DoesNotContain("   at ", problem.Detail);
    }

    [Fact]
    public async Task A_start_that_cannot_fit_the_context_is_a_422_problem_with_the_token_counts_and_queues_nothing()
    {
        var before = (await http.GetFromJsonAsync<ReadinessReport>("/readyz", NarratorServer.Json))!;

        using var response = await http.PostAsJsonAsync("/api/narrations", Body("Describe it over HTTP.", maxNewTokens: 8192));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = problem.RootElement;
        Assert.Equal("context_exceeded", root.GetProperty("code").GetString());
        int promptTokens = root.GetProperty("promptTokens").GetInt32();
        Assert.Equal((8192, TinyModelServerFixture.ContextTokens), (root.GetProperty("maxNewTokens").GetInt32(), root.GetProperty("contextTokens").GetInt32()));
        Assert.InRange(promptTokens, 5, 200);
        Assert.Contains($"needs {promptTokens} prompt tokens (4 of them for the frames) plus up to 8,192 new tokens", root.GetProperty("detail").GetString());
        var after = (await http.GetFromJsonAsync<ReadinessReport>("/readyz", NarratorServer.Json))!;
        Assert.Equal(before.Queue.Waiting + before.Queue.Running, after.Queue.Waiting + after.Queue.Running);
    }

    [Fact]
    public async Task Unknown_narration_ids_are_404_problems()
    {
        using var status = await http.GetAsync("/api/narrations/nope");
        using var events = await http.GetAsync("/api/narrations/nope/events");
        using var cancel = await http.DeleteAsync("/api/narrations/nope");

        Assert.All([status, events, cancel], r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal("application/problem+json", events.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Readyz_reports_the_live_demo_model_and_provider_and_healthz_answers()
    {
        var ready = (await http.GetFromJsonAsync<ReadinessReport>("/readyz", NarratorServer.Json))!;
        using var health = await http.GetAsync("/healthz");

        Assert.Equal("ready", ready.Status);
        Assert.True(ready.DemoModel);
        Assert.Equal("CPU", ready.ExecutionProvider);
        Assert.False(string.IsNullOrEmpty(ready.Model));
        Assert.Equal(new ModelPrecision("fp32", "fp32", "fp32"), ready.Precision);
        Assert.Equal(TinyModelServerFixture.ContextTokens, ready.ContextTokens);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_api_route()
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        foreach (var path in new[] { "/api/clips", "/api/clips/{id}/frames/{n}", "/api/narrations", "/api/narrations/{id}/events", "/api/narrations/{id}", "/api/templates", "/healthz", "/readyz" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        }
        Assert.Equal("StartNarration", paths.GetProperty("/api/narrations").GetProperty("post").GetProperty("operationId").GetString());
    }

    [Fact]
    public async Task The_openapi_start_body_lists_every_declared_setting_by_its_api_name()
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var properties = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("StartNarrationBody").GetProperty("properties");

        foreach (var setting in Narrator.Model.Templates.NarrationSettings.All)
        {
            Assert.True(properties.TryGetProperty(setting.Name, out _), $"{setting.Name} is missing from the StartNarrationBody schema");
        }
        foreach (string field in new[] { "clipId", "template", "prompt", "split", "subtitles", "translate" })
        {
            Assert.True(properties.TryGetProperty(field, out _), $"{field} is missing from the StartNarrationBody schema");
        }
        Assert.Equal("0 = greedy.", properties.GetProperty("temperature").GetProperty("description").GetString());
    }

    private Task<List<SseEvent>> ReadSseAsync(string url, string? lastEventId = null) => SseReader.ReadAllAsync(http, url, lastEventId);
}
