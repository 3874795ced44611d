using System.Net;
using Microsoft.Extensions.Options;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy. With Narrator:Proxy:ForwardedHeaders the visitor's own
/// address (X-Forwarded-For from a trusted proxy; loopback here) is what the per-address rate limits count; without it
/// the header is ignored.
/// </summary>
public sealed class ForwardedAddressTests
{
    /// <summary>Uploads random bytes (refused as not media, after the limiter took a permit) as the visitor <paramref name="visitor"/>.</summary>
    private static async Task<HttpStatusCode> UploadAsAsync(HttpClient http, string visitor)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestClips.RandomBytes(2048)), "file", "noise.mp4" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/clips") { Content = form };
        request.Headers.Add("X-Forwarded-For", visitor);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static Dictionary<string, string?> Settings(bool forwarded) => new()
    {
        ["Narrator:RateLimits:UploadsPerMinutePerAddress"] = "1",
        ["Narrator:Proxy:ForwardedHeaders"] = forwarded ? "true" : "false",
    };

    [Fact]
    public async Task With_forwarded_headers_each_visitor_behind_the_proxy_has_their_own_budget()
    {
        await using var server = new NarratorServer(Settings(forwarded: true), new ScriptedChatClient());
        using var http = server.Http();

        var first = await UploadAsAsync(http, "203.0.113.7");
        var second = await UploadAsAsync(http, "198.51.100.20");
        var firstAgain = await UploadAsAsync(http, "203.0.113.7");

        Assert.NotEqual(HttpStatusCode.TooManyRequests, first);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, second);
        Assert.Equal(HttpStatusCode.TooManyRequests, firstAgain);
    }

    [Fact]
    public async Task Without_forwarded_headers_the_header_is_ignored_and_everyone_behind_the_proxy_shares_one_budget()
    {
        await using var server = new NarratorServer(Settings(forwarded: false), new ScriptedChatClient());
        using var http = server.Http();

        var first = await UploadAsAsync(http, "203.0.113.7");
        var second = await UploadAsAsync(http, "198.51.100.20");

        Assert.NotEqual(HttpStatusCode.TooManyRequests, first);
        Assert.Equal(HttpStatusCode.TooManyRequests, second);
    }

    [Theory]
    [InlineData("Narrator:Proxy:KnownProxies:0", "proxy.local", "not an IP address")]
    [InlineData("Narrator:Proxy:KnownNetworks:0", "10.0.0.0/99", "not a network in CIDR notation")]
    public void A_proxy_address_that_does_not_parse_fails_start_naming_it(string key, string value, string reason)
    {
        var error = Assert.ThrowsAny<OptionsValidationException>(() => new NarratorServer(new Dictionary<string, string?> { [key] = value }, new ScriptedChatClient()));

        Assert.Contains($"{key} is \"{value}\"", error.Message);
        Assert.Contains(reason, error.Message);
    }
}
