using Narrator.Model.Media;

namespace Narrator.Model.Tests.Media;

/// <summary>
/// Every ffmpeg/ffprobe call reads one local file with a single-file demuxer: playlists are refused at the probe
/// (the CLI's files included), and later calls pin the probed demuxer so a file swapped after the probe is not re-sniffed.
/// </summary>
[Collection(SynthesisedClipsCollection.Name)]
public sealed class MediaLockdownTests(SynthesisedClips clips) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("narrator-lockdown-").FullName;
    private readonly MediaProber prober = new(SynthesisedClips.Tools);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("list.m3u8", "hls")]
    [InlineData("renamed.mp4", "hls")]
    [InlineData("list.ffconcat", "concat")]
    [InlineData("cam.sdp", "sdp")]
    public async Task A_playlist_given_to_the_probe_is_refused_with_the_playlist_sentence(string name, string kind)
    {
        string path = Write(name, kind switch
        {
            "hls" => $"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile://{clips.H264Mp4}\n#EXT-X-ENDLIST\n",
            "concat" => $"ffconcat version 1.0\nfile '{clips.H264Mp4}'\n",
            _ => "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video 5004 RTP/AVP 96\n",
        });

        var error = await Assert.ThrowsAsync<MediaFormatRefusedException>(() => prober.ProbeAsync(path, CancellationToken.None));

        Assert.StartsWith(name, error.Message);
        Assert.Contains(MediaFormatPolicy.PlaylistRefusal, error.Message);
    }

    [Fact]
    public async Task A_manifest_ffmpeg_does_not_even_recognise_is_still_refused_as_a_playlist()
    {
        // No "profiles" attribute: ffmpeg's DASH probe does not claim it, so it is simply unreadable.
        string path = Write("bare.mpd", $"<?xml version=\"1.0\"?>\n<MPD type=\"static\"><BaseURL>file://{clips.Folder}/</BaseURL></MPD>\n");

        var error = await Assert.ThrowsAsync<MediaFormatRefusedException>(() => prober.ProbeAsync(path, CancellationToken.None));

        Assert.Equal($"bare.mpd is a DASH manifest (.mpd): {MediaFormatPolicy.PlaylistRefusal}.", error.Message);
    }

    [Fact]
    public async Task A_file_swapped_for_a_playlist_after_the_probe_is_read_with_the_probed_demuxer_and_yields_nothing()
    {
        string path = Path.Combine(folder, "swapped");
        File.Copy(clips.H264Mp4, path);
        var probe = await prober.ProbeAsync(path, CancellationToken.None);
        File.WriteAllText(path, $"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile://{clips.H264Mp4}\n#EXT-X-ENDLIST\n");

        var error = await Assert.ThrowsAsync<MediaException>(() =>
            new FrameExtractor(SynthesisedClips.Tools).ExtractAsync(path, probe, FramePlanner.Plan(probe, new FrameOptions()), CancellationToken.None));

        Assert.Contains("No frames could be decoded", error.Message);
    }

    [Fact]
    public void Every_call_carries_the_allow_lists_and_the_pinned_demuxer_before_its_input()
    {
        var probe = new MediaProbe { Kind = MediaKind.Video, Container = "mov,mp4,m4a,3gp,3g2,mj2", VideoCodec = "h264", Width = 64, Height = 48, AverageFps = 10, DurationSeconds = 2, FrameCount = 20 };

        var arguments = FrameExtractor.Arguments("/data/clips/x/source", probe, FramePlanner.Plan(probe, new FrameOptions()), firstFrame: 4).ToList();

        int input = arguments.IndexOf("-i");
        Assert.Equal("file:/data/clips/x/source", arguments[input + 1]);
        Assert.Equal("file", arguments[arguments.IndexOf("-protocol_whitelist") + 1]);
        Assert.DoesNotContain("hls", arguments[arguments.IndexOf("-format_whitelist") + 1].Split(','));
        Assert.Equal("mov", arguments[arguments.IndexOf("-f") + 1]);
        Assert.True(arguments.IndexOf("-protocol_whitelist") < input && arguments.IndexOf("-f") < input && arguments.IndexOf("-ss") < input);
    }

    [Fact]
    public void A_call_without_a_pinned_demuxer_or_with_a_playlist_demuxer_cannot_be_made()
    {
        var call = new FfmpegCall { Program = FfmpegProgram.Ffmpeg, InputPath = "/x", OutputOptions = ["-f", "null", "-"] };

        Assert.Throws<ArgumentException>(() => FfmpegRunner.Arguments(call));
        Assert.Throws<MediaFormatRefusedException>(() => FfmpegRunner.Arguments(call with { InputFormat = "hls" }));
        Assert.Throws<ArgumentException>(() => FfmpegRunner.Arguments(call with { InputFormat = "mov", InputOptions = ["-f", "hls"] }));
    }

    [Fact]
    public async Task A_still_named_like_an_image_sequence_is_read_as_that_one_file()
    {
        string path = Path.Combine(folder, "frame%03d.jpg");
        File.Copy(clips.Jpeg, path);

        var probe = await prober.ProbeAsync(path, CancellationToken.None);

        Assert.Equal(MediaKind.Image, probe.Kind);
        var frames = await new FrameExtractor(SynthesisedClips.Tools).ExtractAsync(path, probe, FramePlanner.Plan(probe, new FrameOptions()), CancellationToken.None);
        Assert.Equal(1, frames.Count);
    }
}
