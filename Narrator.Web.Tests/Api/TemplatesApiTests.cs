using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Narrator.Model.Templates;
using Narrator.Web.Narrations;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>GET /api/templates and visitors' own templates (validated, owned), used by a narration.</summary>
public sealed class TemplatesApiTests : IAsyncLifetime
{
    private NarratorServer server = null!;
    private HttpClient http = null!;

    public Task InitializeAsync()
    {
        server = new NarratorServer(engine: new ScriptedChatClient(tokens: 3));
        http = server.Http();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
    }

    private static object Custom(string id, string prompt = "Describe the lighting only.", object? defaults = null) => new
    {
        id,
        name = new { zh = "只看光线", en = "Lighting only" },
        description = new { zh = "", en = "What the light does." },
        prompt,
        output = "prose",
        defaults = defaults ?? new { maxNewTokens = 3, temperature = 0.5 },
    };

    [Fact]
    public async Task The_list_starts_with_every_built_in_template()
    {
        var list = (await http.GetFromJsonAsync<List<PromptTemplate>>("/api/templates", NarratorServer.Json))!;

        Assert.Equal(TemplateCatalogue.BuiltIn.Templates.Select(t => t.Id), list.Select(t => t.Id));
        var cinematic = list.Single(t => t.Id == "cinematic-zh");
        Assert.Equal(TemplateCatalogue.BuiltIn.Get("cinematic-zh").Prompt, cinematic.Prompt);
        Assert.Equal(1536, cinematic.Defaults.MaxNewTokens);
        Assert.Equal(TemplateOutputKind.Tags, list.Single(t => t.Id == "tags").Output);
    }

    [Fact]
    public async Task A_saved_template_is_listed_for_its_owner_and_a_narration_can_use_it()
    {
        using var created = await http.PostAsJsonAsync("/api/templates", Custom("lighting-only"));
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async());
        using var started = await http.PostAsJsonAsync("/api/narrations", new { clipId = clip.Id, template = "lighting-only" });
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        NarrationRecord? record = null;
        for (int i = 0; i < 200 && record?.State is not (NarrationState.Completed or NarrationState.Failed); i++)
        {
            await Task.Delay(50);
            record = await http.GetFromJsonAsync<NarrationRecord>($"/api/narrations/{id}", NarratorServer.Json);
        }
        var list = (await http.GetFromJsonAsync<List<PromptTemplate>>("/api/templates", NarratorServer.Json))!;

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("custom", list[^1].Source);
        Assert.Equal("lighting-only", list[^1].Id);
        Assert.Equal(NarrationState.Completed, record!.State);
        Assert.Equal("lighting-only", record.Template);
        Assert.Equal("Describe the lighting only.", record.Prompt);
        Assert.Equal(3, record.Options.Generation.MaxNewTokens);
        Assert.Equal(0.5f, record.Options.Generation.Temperature);
    }

    [Fact]
    public async Task An_invalid_template_is_a_400_listing_each_bad_field()
    {
        using var response = await http.PostAsJsonAsync("/api/templates", Custom("Bad Id!", prompt: "", defaults: new { temperature = 7, maxFrames = 1 }));
        var problem = (await response.Content.ReadFromJsonAsync<JsonElement>())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "id", "prompt", "temperature", "maxFrames" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"errors should name {field}: {errors}");
        }
    }

    [Fact]
    public async Task Built_in_ids_are_taken_built_ins_are_read_only_and_own_templates_can_be_changed_and_deleted()
    {
        using var clash = await http.PostAsJsonAsync("/api/templates", Custom("cinematic-zh"));
        using var changeBuiltIn = await http.PutAsJsonAsync("/api/templates/tags", Custom("tags"));
        using var deleteBuiltIn = await http.DeleteAsync("/api/templates/tags");
        using var created = await http.PostAsJsonAsync("/api/templates", Custom("mine"));
        using var changed = await http.PutAsJsonAsync("/api/templates/mine", Custom("mine", prompt: "Describe the colours only."));
        var fetched = await http.GetFromJsonAsync<PromptTemplate>("/api/templates/mine", NarratorServer.Json);
        using var deleted = await http.DeleteAsync("/api/templates/mine");
        using var gone = await http.GetAsync("/api/templates/mine");

        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, changeBuiltIn.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, deleteBuiltIn.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("Describe the colours only.", fetched!.Prompt);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
    }
}
