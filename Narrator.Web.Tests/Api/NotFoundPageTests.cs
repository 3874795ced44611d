using System.Net;
using Narrator.Web.Localization;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>An address that leads nowhere: a page says so in the visitor's language with a way back; the API answers ProblemDetails.</summary>
public sealed class NotFoundPageTests
{
    [Fact]
    public async Task A_page_address_that_leads_nowhere_answers_404_with_a_sentence_and_a_link_home_in_the_visitors_language()
    {
        await using var server = new NarratorServer(engine: new ScriptedChatClient());
        using var http = server.Http();
        using var english = await http.GetAsync("/no-such-page");
        using var chineseRequest = new HttpRequestMessage(HttpMethod.Get, "/no-such-page");
        chineseRequest.Headers.AcceptLanguage.ParseAdd("zh-CN");
        using var chinese = await http.SendAsync(chineseRequest);
        using var api = await http.GetAsync("/api/no-such-route");

        string html = await english.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.NotFound, english.StatusCode);
        Assert.Contains("data-testid=\"not-found-page\"", html);
        Assert.Contains(UiText.English.PageMissing, WebUtility.HtmlDecode(html));
        Assert.Contains("href=\"/\"", html);
        Assert.Equal(HttpStatusCode.NotFound, chinese.StatusCode);
        Assert.Contains(UiText.Chinese.PageMissing, WebUtility.HtmlDecode(await chinese.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }
}
