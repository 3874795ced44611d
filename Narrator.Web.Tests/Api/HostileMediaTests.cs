using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Narrator.Model.Media;
using Narrator.Web.Narrations;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// Playlists and stream descriptions that would make ffmpeg read other files (a secret outside the data folder, another
/// visitor's upload) are refused at the probe, whatever they are called, and leave nothing behind.
/// </summary>
public sealed class HostileMediaTests : IAsyncLifetime
{
    private readonly string outside = Directory.CreateTempSubdirectory("narrator-secret-").FullName;
    private NarratorServer server = null!;
    private HttpClient http = null!;
    private ClipInfo victim = null!;
    private string secret = null!;

    public async Task InitializeAsync()
    {
        server = new NarratorServer(engine: new ScriptedChatClient());
        http = server.Http();
        secret = Path.Combine(outside, "secret.ts");
        File.Copy(await TestClips.TsAsync(), secret);
        victim = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async());
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
        Directory.Delete(outside, recursive: true);
    }

    private static string Hls(string segment) =>
        $"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.0,\n{segment}\n#EXT-X-ENDLIST\n";

    public static TheoryData<string> Cases() => new()
    {
        "hls file://", "hls absolute path", "hls another clip's upload", "hls renamed .mp4", "dash file:// BaseURL", "ffconcat", "ffconcat another clip's upload", "sdp",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_playlist_or_stream_description_is_refused_with_nothing_served_and_nothing_left(string kind)
    {
        string victimUpload = Path.Combine(server.ClipsFolder, victim.Id, "source");
        var (text, name) = kind switch
        {
            "hls file://" => (Hls("file://" + secret), "list.m3u8"),
            "hls absolute path" => (Hls(secret), "list.m3u8"),
            // Relative to where the playlist itself would be stored: clips/{its id}/source.
            "hls another clip's upload" => (Hls($"../{victim.Id}/source"), "list.m3u8"),
            "hls renamed .mp4" => (Hls("file://" + secret), "holiday.mp4"),
            "dash file:// BaseURL" => (Dash("file://" + outside + "/"), "stream.mpd"),
            "ffconcat" => ($"ffconcat version 1.0\nfile '{secret}'\n", "list.ffconcat"),
            "ffconcat another clip's upload" => ($"ffconcat version 1.0\nfile '{victimUpload}'\n", "clip.mp4"),
            "sdp" => ("v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video 5004 RTP/AVP 96\na=rtpmap:96 H264/90000\n", "cam.sdp"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var filesBefore = server.ClipFiles();

        using var response = await NarratorServer.UploadAsync(http, Encoding.UTF8.GetBytes(text), name, "application/octet-stream");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains(MediaFormatPolicy.PlaylistRefusal, problem!.Detail);
        Assert.StartsWith(name, problem.Detail);
        Assert.DoesNotContain(server.DataPath, problem.Detail);
        Assert.Equal(filesBefore, server.ClipFiles());
        Assert.Equal(2, (await http.GetFromJsonAsync<ClipInfo>($"/api/clips/{victim.Id}", NarratorServer.Json))!.Probe.DurationSeconds, 1);
    }

    [Fact]
    public async Task An_upload_is_stored_under_a_fixed_name_with_no_extension()
    {
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.AviAsync());

        var stored = Directory.GetFiles(Path.Combine(server.ClipsFolder, clip.Id)).Select(Path.GetFileName).ToList();
        Assert.Contains("source", stored);
        Assert.DoesNotContain(stored, file => file!.EndsWith(".avi", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("clip.avi", clip.Label);
    }

    private static string Dash(string baseUrl) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" type="static" mediaPresentationDuration="PT2S" minBufferTime="PT1S">
          <BaseURL>{baseUrl}</BaseURL>
          <Period>
            <AdaptationSet mimeType="video/mp2t">
              <Representation id="1" bandwidth="100000" width="64" height="48"><BaseURL>secret.ts</BaseURL></Representation>
            </AdaptationSet>
          </Period>
        </MPD>
        """;
}
