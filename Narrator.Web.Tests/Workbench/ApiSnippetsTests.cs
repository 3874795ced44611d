using System.Text.Json;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Templates;
using Narrator.Web.Narrations;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Workbench;

/// <summary>"Use via API" sends the body POST /api/narrations takes: every setting the page's request makes, by its API name.</summary>
public class ApiSnippetsTests
{
    [Fact]
    public void The_body_carries_every_setting_of_the_request_with_field_by_field_options_winning()
    {
        var request = new NarrationRequest
        {
            ClipId = "abc",
            Template = "tags",
            Frames = new FrameOptions { Fps = 1, MaxFrames = 32 },
            Generation = new GenerationOptions { Temperature = 0.7f, Seed = 7 },
            Options = new TemplateOptions { Seed = 11 },
        };

        var body = ApiSnippets.Body(request);

        Assert.Equal("abc", body.ClipId);
        Assert.Equal("tags", body.Template);
        Assert.Equal(1, body.Fps);
        Assert.Equal(32, body.MaxFrames);
        Assert.Equal(0.7f, body.Temperature);
        Assert.Equal(11, body.Seed);
        Assert.All(NarrationSettings.All.Where(setting => setting != NarrationSettings.NFrames && setting != NarrationSettings.MinPixels),
            setting => Assert.NotNull(setting.ValueIn(body)));
    }

    [Fact]
    public void The_curl_script_posts_the_settings_under_their_api_names_and_leaves_unset_ones_out()
    {
        var request = new NarrationRequest { ClipId = "abc", Generation = new GenerationOptions { TopK = 20 } };

        string script = ApiSnippets.Curl("http://127.0.0.1:5000/", request);

        Assert.Contains("\"topK\":20", script, StringComparison.Ordinal);
        Assert.Contains("\"repetitionPenalty\":1.05", script, StringComparison.Ordinal);
        Assert.DoesNotContain("\"fps\"", script, StringComparison.Ordinal);
        Assert.Contains("'http://127.0.0.1:5000/api/narrations'", script, StringComparison.Ordinal);
    }
}
