using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Tests.Batch;

namespace Narrator.Model.Tests.Segmentation;

/// <summary>The segment-by-segment narrator the CLI and the server share, with a scripted engine on synthesised scene clips.</summary>
public sealed class TimedNarratorTests(SceneClipsFixture clips) : IClassFixture<SceneClipsFixture>
{
    private static readonly FrameOptions FewFrames = new() { NFrames = 2, MinPixels = 3136, MaxPixels = 3136 };

    /// <summary>Writes down what the narrator reports, in order.</summary>
    private sealed class RecordingProgress : INarrationProgress
    {
        public List<string> Calls { get; } = [];

        public void OnSegmented(VideoSegmentation segmentation) => Calls.Add($"segmented {segmentation.MethodName} {segmentation.Segments.Count}");

        public void OnSegmentStarted(VideoSegment segment, int count) => Calls.Add($"start {segment.Index + 1}/{count}");

        public void OnSegmentCompleted(NarrationSegment segment, int count) => Calls.Add($"done {segment.Index + 1}/{count}");
    }

    /// <summary>Counts the media work handed to it (a server's pool stands here) and runs it.</summary>
    private sealed class CountingRunner : IMediaWorkRunner
    {
        private int runs;

        public int Runs => runs;

        public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref runs);
            return Task.Run(() => work(cancellationToken), cancellationToken);
        }
    }

    private TimedNarrationRequest Request(string path) => new()
    {
        Path = path,
        Video = Path.GetFileName(path),
        Prompt = "Describe.",
        Options = new(FewFrames, new GenerationOptions()),
    };

    [Fact]
    public async Task A_long_video_reports_its_plan_once_then_each_segment_in_order_and_runs_all_media_work_through_the_runner()
    {
        var progress = new RecordingProgress();
        var runner = new CountingRunner();
        var narrator = new TimedNarrator(new ScriptedEngine(), new MediaPreparer(), new VideoSegmenter(), mediaWork: runner);

        var result = await narrator.NarrateAsync(Request(clips.LongClip), progress);

        int n = result.Narration.Segments.Count;
        Assert.True(n >= 3, $"only {n} segments");
        var expected = new List<string> { $"segmented scenes {n}" };
        for (int k = 1; k <= n; k++)
        {
            expected.Add($"start {k}/{n}");
            expected.Add($"done {k}/{n}");
        }
        Assert.Equal(expected, progress.Calls);
        // Scene detection plus one preparation per segment.
        Assert.Equal(1 + n, runner.Runs);
        Assert.All(result.Narration.Segments, segment => Assert.Contains($"from frame {segment.StartFrame} ", segment.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_short_clip_is_one_whole_segment_covering_the_clip()
    {
        var progress = new RecordingProgress();
        var narrator = new TimedNarrator(new ScriptedEngine(), new MediaPreparer(), new VideoSegmenter());

        var result = await narrator.NarrateAsync(Request(clips.ShortClip), progress);

        var segment = Assert.Single(result.Narration.Segments);
        Assert.Equal(0, segment.StartSeconds);
        Assert.Equal(result.Probe.DurationSeconds, segment.EndSeconds);
        Assert.Equal(["segmented whole 1", "start 1/1", "done 1/1"], progress.Calls);
    }

    [Fact]
    public async Task A_segment_the_engine_fails_on_stops_the_narration_but_keeps_what_was_reported()
    {
        var progress = new RecordingProgress();
        int calls = 0;
        var engine = new ScriptedEngine { FailWhen = _ => Interlocked.Increment(ref calls) == 2 ? new InvalidOperationException("engine broke") : null };
        var narrator = new TimedNarrator(engine, new MediaPreparer(), new VideoSegmenter());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => narrator.NarrateAsync(Request(clips.LongClip), progress));

        Assert.Equal("engine broke", error.Message);
        Assert.Equal(["start 1/", "done 1/", "start 2/"], progress.Calls.Skip(1).Select(call => call[..(call.IndexOf('/') + 1)]));
    }
}
