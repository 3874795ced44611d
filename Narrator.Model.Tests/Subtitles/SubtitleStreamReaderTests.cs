using Narrator.Model.Media;
using Narrator.Model.Subtitles;
using Narrator.Model.Tests.Media;

namespace Narrator.Model.Tests.Subtitles;

[Collection(SubtitleClipsCollection.Name)]
public class SubtitleStreamReaderTests(SubtitleClips clips)
{
    private readonly SubtitleStreamReader reader = new();
    private readonly MediaProber prober = new();

    [Fact]
    public async Task A_mov_text_stream_is_listed_as_usable_and_read_with_its_times()
    {
        var probe = await prober.ProbeAsync(clips.MovTextMp4, CancellationToken.None);

        var stream = Assert.Single(await reader.ListAsync(clips.MovTextMp4, probe, CancellationToken.None));
        var track = await reader.ExtractAsync(clips.MovTextMp4, probe, stream, CancellationToken.None);

        Assert.Equal((1, "mov_text", true, null), (stream.Index, stream.Codec, stream.IsUsable, stream.Language));
        Assert.Equal("stream 1 (mov_text)", track.Source);
        Assert.Equal([(0.5, 1.5, "Hello there"), (2.0, 3.0, "你好，朋友"), (5.0, 6.0, "After the end")],
            track.Lines.Select(l => (l.StartSeconds, l.EndSeconds, l.Text)));
        Assert.Equal(4.0, probe.DurationSeconds, 1);
    }

    [Fact]
    public async Task A_picture_stream_is_listed_as_not_usable_with_the_reason_and_reading_it_is_refused()
    {
        var probe = await prober.ProbeAsync(clips.SeveralStreamsMkv, CancellationToken.None);

        var streams = await reader.ListAsync(clips.SeveralStreamsMkv, probe, CancellationToken.None);

        var pictures = streams[0];
        Assert.Equal((1, "hdmv_pgs_subtitle", false), (pictures.Index, pictures.Codec, pictures.IsUsable));
        Assert.Equal("hdmv_pgs_subtitle subtitles are pictures of text (as on DVDs, Blu-rays and TV), which cannot be read as text; add an .srt or .vtt file instead.",
            pictures.UnusableReason);
        var error = await Assert.ThrowsAsync<UserInputException>(() => reader.ExtractAsync(clips.SeveralStreamsMkv, probe, pictures, CancellationToken.None));
        Assert.StartsWith("Subtitle stream 1 (hdmv_pgs_subtitle) cannot be used: hdmv_pgs_subtitle subtitles are pictures", error.Message);
    }

    [Fact]
    public async Task Several_streams_carry_language_title_and_flags_and_auto_picks_the_default_text_one()
    {
        var probe = await prober.ProbeAsync(clips.SeveralStreamsMkv, CancellationToken.None);

        var streams = await reader.ListAsync(clips.SeveralStreamsMkv, probe, CancellationToken.None);

        Assert.Equal(["stream 1 (hdmv_pgs_subtitle)", "stream 2 (subrip, eng)", "stream 3 (subrip, fra, French)"], streams.Select(s => s.Label));
        Assert.Equal([false, false, true], streams.Select(s => s.IsDefault));
        var auto = SubtitleSelection.AutoStream(streams);
        Assert.Equal(3, auto!.Index);
        var track = await reader.ExtractAsync(clips.SeveralStreamsMkv, probe, auto, CancellationToken.None);
        Assert.Equal("Réplique française", Assert.Single(track.Lines).Text);
    }

    [Fact]
    public async Task A_clip_without_subtitles_lists_none_and_a_still_is_not_asked()
    {
        var probe = await prober.ProbeAsync(clips.PlainMp4, CancellationToken.None);

        Assert.Empty(await reader.ListAsync(clips.PlainMp4, probe, CancellationToken.None));
        Assert.Empty(await reader.ListAsync("/nonexistent/still.png", probe with { Kind = MediaKind.Image }, CancellationToken.None));
    }

    [Fact]
    public async Task A_playlist_pinned_as_the_probe_says_is_refused_before_anything_runs_and_a_file_swapped_after_the_probe_is_not_re_sniffed()
    {
        using var tools = RecordingTools.Create();
        var recorded = new SubtitleStreamReader(new FfmpegRunner(tools.Tools));
        string playlist = clips.In("remote.m3u8");
        await File.WriteAllTextAsync(playlist, "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nhttp://127.0.0.1:9/segment.ts\n#EXT-X-ENDLIST\n");
        var probe = await prober.ProbeAsync(clips.MovTextMp4, CancellationToken.None);
        string swapped = clips.In("swapped.mp4");
        File.Copy(clips.MovTextMp4, swapped, overwrite: true);
        var swappedProbe = await prober.ProbeAsync(swapped, CancellationToken.None);
        await File.WriteAllTextAsync(swapped, $"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nfile://{clips.MovTextMp4}\n#EXT-X-ENDLIST\n");

        var asHls = await Assert.ThrowsAsync<MediaFormatRefusedException>(() => recorded.ListAsync(playlist, probe with { Container = "hls" }, CancellationToken.None));
        int callsAfterRefusal = tools.InputCalls().Count;
        var afterSwap = await Assert.ThrowsAsync<MediaException>(() => recorded.ListAsync(swapped, swappedProbe, CancellationToken.None));

        Assert.Contains(MediaFormatPolicy.PlaylistRefusal, asHls.Message);
        Assert.Equal(0, callsAfterRefusal);
        // Read as the MP4 it was probed as (never as the playlist it now is): nothing of the other clip is listed.
        Assert.StartsWith("The subtitle streams of swapped.mp4 could not be listed:", afterSwap.Message);
        Assert.Equal("mov", Assert.Single(tools.InputCalls()).ValueAfter("-f"));
    }

    [Fact]
    public async Task Listing_and_reading_subtitles_run_through_the_given_runner_with_the_same_input_lockdown_as_frame_extraction()
    {
        using var tools = RecordingTools.Create();
        var runner = new FfmpegRunner(tools.Tools);
        var probe = await prober.ProbeAsync(clips.MovTextMp4, CancellationToken.None);
        var recorded = new SubtitleStreamReader(runner);

        var stream = Assert.Single(await recorded.ListAsync(clips.MovTextMp4, probe, CancellationToken.None));
        var track = await recorded.ExtractAsync(clips.MovTextMp4, probe, stream, CancellationToken.None);
        await new FrameExtractor(runner).ExtractAsync(clips.MovTextMp4, probe, FramePlanner.Plan(probe, new FrameOptions { NFrames = 2 }), CancellationToken.None);

        Assert.Equal(2, track.Lines.Count(line => line.StartSeconds < probe.DurationSeconds));
        // Every start went through the runner this reader was given (a process of its own would not be in the log).
        var calls = tools.InputCalls();
        Assert.Equal(["ffprobe", "ffmpeg", "ffmpeg"], calls.Select(call => call.Program));
        var lockdown = calls.Select(call => string.Join(' ', call.InputLockdown())).Distinct().ToList();
        Assert.Equal($"-protocol_whitelist file -format_whitelist {MediaFormatPolicy.ProbeWhitelist} -f mov -i file:{Path.GetFullPath(clips.MovTextMp4)}",
            Assert.Single(lockdown));
    }

    [Fact]
    public async Task The_resolver_names_a_missing_stream_and_lists_what_there_is()
    {
        var probe = await prober.ProbeAsync(clips.SeveralStreamsMkv, CancellationToken.None);
        var streams = await reader.ListAsync(clips.SeveralStreamsMkv, probe, CancellationToken.None);

        var error = await Assert.ThrowsAsync<UserInputException>(() => SubtitleResolver.ResolveAsync(SubtitleSelection.ForStream(7), null, streams,
            (stream, ct) => reader.ExtractAsync(clips.SeveralStreamsMkv, probe, stream, ct), CancellationToken.None));

        Assert.Equal("The clip has no subtitle stream 7; its subtitle streams are stream 1 (hdmv_pgs_subtitle, not usable), stream 2 (subrip, eng), stream 3 (subrip, fra, French).",
            error.Message);
    }
}
