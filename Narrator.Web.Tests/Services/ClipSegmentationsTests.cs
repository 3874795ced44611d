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
    public async Task A_narration_does_not_wait_behind_uploads_for_a_background_split_that_has_not_started()
    {
        var (path, probe) = await ClipAsync();
        var pool = new PreprocessingPool(Options.Create(new QueueOptions { PreprocessingConcurrency = 1 }));
        var options = new SegmentationOptions();
        var splits = new ClipSegmentations(new VideoSegmenter(), pool, Options.Create(options), NullLogger<ClipSegmentations>.Instance);
        var holdSlot = new TaskCompletionSource();
        var holdUpload = new TaskCompletionSource();
        var busy = pool.RunAsync(async _ => { await holdSlot.Task; return 0; }, PreprocessingPriority.Upload, CancellationToken.None);

        var ahead = splits.GetAsync(path, probe, options, PreprocessingPriority.Background, CancellationToken.None);
        var upload = pool.RunAsync(async _ => { await holdUpload.Task; return 1; }, PreprocessingPriority.Upload, CancellationToken.None);
        var forNarration = splits.GetAsync(path, probe, options, PreprocessingPriority.ModelQueue, CancellationToken.None);
        holdSlot.SetResult();

        var segmentation = await forNarration.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal([0.0, 25.0, 55.0], segmentation.Segments.Select(s => Math.Round(s.StartSeconds, 1)));
        Assert.False(ahead.IsCompleted, "the background split ran before the waiting upload");
        Assert.Single(Directory.GetFiles(folder, "segments-*.json"));

        holdUpload.SetResult();
        await Task.WhenAll(busy, upload);
        var later = await ahead.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(segmentation.Segments, later.Segments);
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
