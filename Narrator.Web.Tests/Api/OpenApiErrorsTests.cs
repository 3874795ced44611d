using System.Text.Json;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// /openapi/v1.json, read from the running server, lists each route's error answers beside its successes: exactly the
/// 4xx/5xx codes its handler and the middleware send, each as a ProblemDetails.
/// </summary>
public sealed class OpenApiErrorsTests : IAsyncLifetime
{
    // Every route's non-2xx answers. 500 comes from the exception handler on any API route.
    private static readonly Dictionary<(string Method, string Path), int[]> Errors = new()
    {
        [("post", "/api/clips")] = [400, 413, 415, 422, 429, 500, 503, 507],
        [("get", "/api/clips/{id}")] = [404, 500],
        [("delete", "/api/clips/{id}")] = [403, 404, 500],
        [("post", "/api/clips/{id}/plan")] = [400, 403, 404, 413, 415, 422, 500, 507],
        [("get", "/api/clips/{id}/frames/{n}")] = [404, 500],
        [("get", "/api/clips/{id}/preview")] = [404, 409, 500],
        [("post", "/api/narrations")] = [400, 413, 415, 422, 429, 500, 503],
        [("get", "/api/narrations")] = [400, 500],
        [("get", "/api/narrations/{id}")] = [404, 500],
        [("delete", "/api/narrations/{id}")] = [403, 404, 409, 500],
        [("delete", "/api/narrations/{id}/record")] = [403, 404, 409, 500, 507],
        [("get", "/api/narrations/{id}/events")] = [404, 500],
        [("get", "/api/narrations/{id}/export")] = [400, 404, 409, 500],
        [("get", "/api/clips/{id}/subtitles")] = [400, 404, 500],
        [("put", "/api/clips/{id}/subtitles")] = [400, 403, 404, 422, 429, 500, 507],
        [("delete", "/api/clips/{id}/subtitles")] = [403, 404, 500],
        [("post", "/api/narrations/{id}/translations")] = [400, 404, 413, 415, 429, 500, 503],
        [("get", "/api/search")] = [400, 500],
        [("post", "/api/narrations/{id}/share")] = [403, 404, 409, 500, 507],
        [("delete", "/api/narrations/{id}/share")] = [403, 404, 500],
        [("get", "/api/shares/{token}")] = [404, 500],
        [("get", "/api/shares/{token}/frames/{n}")] = [404, 500],
        [("get", "/api/shares/{token}/export")] = [400, 404, 500],
        [("get", "/api/templates")] = [500],
        [("post", "/api/templates")] = [400, 409, 413, 415, 429, 500, 507],
        [("get", "/api/templates/{id}")] = [404, 500],
        [("put", "/api/templates/{id}")] = [400, 403, 404, 409, 413, 415, 429, 500, 507],
        [("delete", "/api/templates/{id}")] = [403, 404, 500, 507],
        [("get", "/healthz")] = [],
        [("get", "/readyz")] = [503],
    };

    private NarratorServer server = null!;
    private JsonElement paths;

    public async Task InitializeAsync()
    {
        server = new NarratorServer(engine: new ScriptedChatClient(tokens: 2));
        using var http = server.Http();
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        paths = document.RootElement.GetProperty("paths").Clone();
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Theory]
    [InlineData("post", "/api/clips", new[] { 400, 413, 415, 422, 429 })]
    [InlineData("post", "/api/narrations", new[] { 400, 415, 422, 429 })]
    [InlineData("get", "/api/narrations/{id}", new[] { 404 })]
    [InlineData("get", "/api/clips/{id}", new[] { 404 })]
    public void The_upload_start_and_read_routes_list_their_4xx_answers_as_problem_details(string method, string path, int[] statuses)
    {
        var responses = paths.GetProperty(path).GetProperty(method).GetProperty("responses");

        foreach (int status in statuses)
        {
            Assert.True(responses.TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response),
                $"{method.ToUpperInvariant()} {path} does not list {status}");
            var schema = response.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema");
            Assert.EndsWith("ProblemDetails", schema.GetProperty("$ref").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_route_lists_exactly_the_errors_it_can_answer_with()
    {
        var documented = new Dictionary<(string Method, string Path), int[]>();
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                documented[(operation.Name, path.Name)] = [.. operation.Value.GetProperty("responses").EnumerateObject()
                    .Select(response => int.Parse(response.Name, System.Globalization.CultureInfo.InvariantCulture))
                    .Where(status => status >= 400)
                    .Order()];
            }
        }

        Assert.Equal(Errors.Keys.Order(), documented.Keys.Order());
        Assert.All(Errors, expected => Assert.True(expected.Value.SequenceEqual(documented[expected.Key]),
            $"{expected.Key.Method.ToUpperInvariant()} {expected.Key.Path} lists [{string.Join(", ", documented[expected.Key])}], expected [{string.Join(", ", expected.Value)}]"));
    }

    [Fact]
    public void Readiness_answers_503_with_its_report_not_a_problem()
    {
        var unavailable = paths.GetProperty("/readyz").GetProperty("get").GetProperty("responses").GetProperty("503");

        var schema = unavailable.GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.EndsWith("ReadinessReport", schema.GetProperty("$ref").GetString(), StringComparison.Ordinal);
    }
}
