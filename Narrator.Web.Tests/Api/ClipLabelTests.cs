using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Clips;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// A clip's label is the visitor's own file name in Unicode (NFC, bidirectional controls removed, other controls
/// refused), and every sentence about the clip uses it, never the ASCII name the file has on the server's disk.
/// </summary>
public sealed class ClipLabelTests
{
    [Theory]
    [InlineData("视频片段.mp4", "视频片段.mp4")]
    [InlineData("Cafe\u0301.mov", "Café.mov")]
    [InlineData("invoice\u202Egpj.mp4", "invoicegpj.mp4")]
    [InlineData("\u2067שלום\u2069 clip.mp4", "שלום clip.mp4")]
    [InlineData("  padded.mp4  ", "padded.mp4")]
    [InlineData("\u202E", ClipLabels.Default)]
    [InlineData("", ClipLabels.Default)]
    public void A_label_keeps_the_visitor_s_unicode_name_in_nfc_without_bidi_controls(string fileName, string label) =>
        Assert.Equal(label, ClipLabels.FromFileName(fileName));

    [Theory]
    [InlineData("a\u0000b.mp4")]
    [InlineData("line\nbreak.mp4")]
    [InlineData("../etc/passwd")]
    [InlineData("folder/clip.mp4")]
    [InlineData("a\\b.mp4")]
    public void A_name_with_a_path_or_other_control_characters_is_refused(string fileName)
    {
        var refused = Assert.Throws<ClipRejectedException>(() => ClipLabels.FromFileName(fileName));

        Assert.Equal(400, refused.StatusCode);
    }

    [Fact]
    public void Messages_name_the_label_where_the_stored_path_or_name_stands_alone_but_not_inside_other_words()
    {
        string message = ClipLabels.InMessage(
            "/data/clips/abc/____.mp4: Invalid data; ____.mp4 is not a video; x____.mp4y and ____.mp4.bak stay", "/data/clips/abc/____.mp4", "视频片段.mp4");

        Assert.Equal("视频片段.mp4: Invalid data; 视频片段.mp4 is not a video; x____.mp4y and ____.mp4.bak stay", message);
    }

    [Fact]
    public async Task A_refused_upload_names_the_visitor_s_unicode_file_and_an_accepted_one_keeps_it_as_its_label()
    {
        await using var server = new NarratorServer(engine: new ScriptedChatClient());
        using var http = server.Http();

        using var refused = await NarratorServer.UploadAsync(http, await TestClips.TruncatedMp4Async(), "视频片段.mp4");
        using var accepted = await NarratorServer.UploadAsync(http, await File.ReadAllBytesAsync(await TestClips.Mp4Async()), "report\u202Egpj.mp4");
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var clip = await accepted.Content.ReadFromJsonAsync<ClipInfo>(NarratorServer.Json);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        string detail = problem.GetProperty("detail").GetString()!;
        Assert.StartsWith("视频片段.mp4 ", detail);
        Assert.DoesNotContain("____", detail);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal("reportgpj.mp4", clip!.Label);
    }
}
