using System.Net;
using System.Text.RegularExpressions;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>The page and the API answer with a Content-Security-Policy fit for Blazor Server, nosniff and Referrer-Policy.</summary>
public sealed partial class SecurityHeadersTests : IAsyncLifetime
{
    private NarratorServer server = null!;

    public Task InitializeAsync()
    {
        server = new NarratorServer(engine: new ScriptedChatClient());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/api/templates")]
    [InlineData("/api/narrations/unknown")]
    [InlineData("/api/no-such-route")]
    [InlineData("/healthz")]
    public async Task Every_response_carries_one_policy_nosniff_and_same_origin_referrers(string path)
    {
        using var http = server.Http();

        using var response = await http.GetAsync(path);

        string policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        var directives = Directives(policy);
        Assert.Matches("^'self' 'nonce-[A-Za-z0-9+/=]{24}'$", directives["script-src"]);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.Equal("'self'", directives["default-src"]);
        Assert.Equal($"'self' ws://{server.BaseAddress.Authority}", directives["connect-src"]);
        Assert.Equal("'self'", directives["frame-ancestors"]);
        Assert.Equal("'none'", directives["object-src"]);
    }

    [Fact]
    public async Task The_page_s_only_inline_script_the_import_map_carries_the_nonce_its_response_allows_and_each_response_has_its_own()
    {
        using var http = server.Http();

        using var first = await http.GetAsync("/");
        using var second = await http.GetAsync("/");
        string html = await first.Content.ReadAsStringAsync();

        string nonce = Directives(Assert.Single(first.Headers.GetValues("Content-Security-Policy")))["script-src"].Split("'nonce-")[1].TrimEnd('\'');
        var inline = InlineScript().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups["attributes"].Value)).ToList();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("type=\"importmap\"", Assert.Single(inline));
        Assert.Contains($"nonce=\"{nonce}\"", inline[0]);
        Assert.NotEqual(Assert.Single(first.Headers.GetValues("Content-Security-Policy")), Assert.Single(second.Headers.GetValues("Content-Security-Policy")));
    }

    private static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.Split(' ', 2))
            .ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "");

    // Script elements without a src attribute: inline code (or an inline import map).
    [GeneratedRegex("<script(?<attributes>(?:(?!src=)[^>])*)>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
