using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Web.Services.Preprocessing;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Tests.Services;

/// <summary>Long uploads split once, ahead of time, without ever making a narration wait behind uploads for it.</summary>
public sealed class ClipSegmentationsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("narrator-split-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private async Task<(string Path, MediaProbe Probe)> ClipAsync()
    {
        string path = Path.Combine(folder, "three-shots.mp4");
        File.Copy(await TestClips.ThreeShotsMp4Async(), path);
        return (path, await new MediaPreparer().Prober.ProbeAsync(path, CancellationToken.None));
    }

    [Fact]
    public async Task A_background_split_runs_while_every_upload_slot_is_busy_and_a_narration_gets_its_answer()
    {
        var (path, probe) = await ClipAsync();
        var pool = new PreprocessingPool(Options.Create(new QueueOptions { PreprocessingConcurrency = 1 }));
        var options = new SegmentationOptions();
        var splits = new ClipSegmentations(new VideoSegmenter(), pool, Options.Create(options), NullLogger<ClipSegmentations>.Instance);
        var holdSlot = new TaskCompletionSource();
        var busy = pool.RunAsync(async _ => { await holdSlot.Task; return 0; }, PreprocessingPriority.Upload, CancellationToken.None);

        var ahead = splits.GetAsync(path, probe, options, PreprocessingPriority.Background, CancellationToken.None, NarrationOwner.ForAddress("10.0.0.1"));
        var segmentation = await ahead.WaitAsync(TimeSpan.FromSeconds(60));
        var forNarration = await splits.GetAsync(path, probe, options, PreprocessingPriority.ModelQueue, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal([0.0, 25.0, 55.0], segmentation.Segments.Select(s => Math.Round(s.StartSeconds, 1)));
        Assert.Equal(segmentation.Segments, forNarration.Segments);
        Assert.Single(Directory.GetFiles(folder, "segments-*.json"));
        Assert.False(busy.IsCompleted);
        holdSlot.SetResult();
        await busy;
    }

    [Fact]
    public async Task A_video_over_the_background_pixel_budget_is_split_on_keyframes_only()
    {
        var (path, probe) = await ClipAsync();
        var pool = new PreprocessingPool(Options.Create(new QueueOptions { PreprocessingConcurrency = 1 }));
        var splits = new ClipSegmentations(new VideoSegmenter(), pool, Options.Create(new SegmentationOptions()), NullLogger<ClipSegmentations>.Instance,
            Options.Create(new Narrator.Web.Services.Clips.UploadOptions { BackgroundDecodePixels = 1_000_000 }));

        var coarse = await splits.GetAsync(path, probe, new SegmentationOptions(), PreprocessingPriority.ModelQueue, CancellationToken.None);

        // Scored on keyframes only: x264 put one at the first cut (25 s), so that cut is still found; the result is kept
        // under its own options, apart from a full split.
        Assert.Equal(SegmentationMethod.Scenes, coarse.Method);
        Assert.Contains(25.0, coarse.Segments.Select(s => Math.Round(s.StartSeconds, 1)));
        Assert.All(coarse.Cuts, cut => Assert.Contains(Math.Round(cut.Seconds, 1), new[] { 25.0, 50.0, 55.0 }));
        Assert.Single(Directory.GetFiles(folder, "segments-*.json"));
    }

    [Fact]
    public async Task The_split_is_kept_beside_the_clip_per_set_of_options()
    {
        var (path, probe) = await ClipAsync();
        var pool = new PreprocessingPool(Options.Create(new QueueOptions { PreprocessingConcurrency = 1 }));
        var splits = new ClipSegmentations(new VideoSegmenter(), pool, Options.Create(new SegmentationOptions()), NullLogger<ClipSegmentations>.Instance);

        var scenes = await splits.GetAsync(path, probe, new SegmentationOptions(), PreprocessingPriority.ModelQueue, CancellationToken.None);
        var fixedLength = await splits.GetAsync(path, probe, new SegmentationOptions { Mode = SegmentationMode.Fixed }, PreprocessingPriority.ModelQueue, CancellationToken.None);
        var again = await splits.GetAsync(path, probe, new SegmentationOptions(), PreprocessingPriority.ModelQueue, CancellationToken.None);

        Assert.Equal(SegmentationMethod.Scenes, scenes.Method);
        Assert.Equal(SegmentationMethod.Fixed, fixedLength.Method);
        Assert.Equal(2, Directory.GetFiles(folder, "segments-*.json").Length);
        Assert.Equal(scenes.Segments, again.Segments);
        Assert.Equal(scenes.Cuts, again.Cuts);
    }
}
