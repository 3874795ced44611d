using Microsoft.Extensions.Options;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Web.Services.Preprocessing;

namespace Narrator.Web.Services.Clips;

/// <summary>
/// What is made from a stored clip after its upload: new thumbnails when it is re-planned, and in the background (one job
/// per visitor at a time, ffmpeg at the lowest CPU priority) the exact frames of a very large clip and the browser
/// preview transcode, then the split of a long clip. A failure here costs the visitor the thumbnails or the preview, never the clip.
/// </summary>
public sealed class DerivedMedia(ClipStorage storage, ClipThumbnails thumbnails, PreviewMaker previews, PreprocessingPool pool,
    ClipSegmentations segmentations, IOptions<UploadOptions> limits, IOptions<SegmentationOptions> segmentation, ILogger<DerivedMedia> logger)
{
    /// <summary>Re-plans a clip's frames for other options (e.g. a template's), replacing its thumbnails; returns the clip as it now is.</summary>
    public async Task<StoredClip> ReplanAsync(string clipId, FrameOptions options, CancellationToken cancellationToken)
    {
        var gate = storage.FramesGate(clipId);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var clip = storage.Find(clipId) ?? throw new ClipNotFoundException(clipId);
            return await ReplanHeldAsync(clip, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Exact frames are worth making in the background only where the model sees the whole-clip plan (not a long video's).</summary>
    public bool NeedsExactFrames(StoredClip clip) => !clip.FramesExact && !segmentation.Value.IsLong(clip.Probe);

    /// <summary>
    /// Queues the clip's heavy work on the background slots: exact frames of a very large clip, the browser preview
    /// transcode, then the split of a long clip.
    /// </summary>
    public void StartBackgroundWork(StoredClip clip)
    {
        if (!NeedsExactFrames(clip) && clip.PreviewState != PreviewState.Making)
        {
            segmentations.StartSplitting(clip);
            return;
        }
        pool.RunAsync(ct => FinishInBackgroundAsync(clip.Id, ct), PreprocessingPriority.Background, CancellationToken.None, clip.Owner)
            .ContinueWith(t =>
            {
                if (t.IsFaulted)
                {
                    logger.LogWarning(t.Exception, "Background work on clip {ClipId} failed", clip.Id);
                }
                if (storage.Find(clip.Id) is { } done)
                {
                    segmentations.StartSplitting(done);
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private async Task<StoredClip> ReplanHeldAsync(StoredClip clip, FrameOptions options, CancellationToken cancellationToken)
    {
        try
        {
            int version = clip.FramesVersion + 1;
            var strip = await pool.RunAsync(ct => thumbnails.WriteAsync(clip.SourcePath, clip.Probe, options, version, quick: true, ct),
                PreprocessingPriority.Upload, cancellationToken, clip.Owner).ConfigureAwait(false);
            var replanned = strip.ShownBy(clip, version) with { FrameOptions = options };
            storage.DeleteFolder(ClipStorage.FramesPath(clip.Folder, clip.FramesVersion));
            storage.Put(replanned);
            await storage.WriteRecordAsync(replanned, cancellationToken).ConfigureAwait(false);
            if (NeedsExactFrames(replanned))
            {
                StartBackgroundWork(replanned);
            }
            return replanned;
        }
        catch (MediaException ex)
        {
            throw new ClipRejectedException(StatusCodes.Status422UnprocessableEntity, storage.WithoutServerPaths(ex.Message, clip.SourcePath, clip.Label), ex);
        }
        catch (IOException ex) when (ClipFiles.IsDiskFull(ex))
        {
            logger.LogError("The disk holding the clips is full; new thumbnails of clip {ClipId} were refused", clip.Id);
            throw ClipRejectedException.DiskFull(ex, "the upload");
        }
    }

    private async Task<bool> FinishInBackgroundAsync(string clipId, CancellationToken cancellationToken)
    {
        if (storage.Find(clipId) is not { } clip)
        {
            return false;
        }
        if (NeedsExactFrames(clip))
        {
            await MakeExactFramesAsync(clipId, cancellationToken).ConfigureAwait(false);
        }
        if (storage.Find(clipId) is { PreviewState: PreviewState.Making } making)
        {
            var (state, error) = await MakePreviewAsync(making, cancellationToken).ConfigureAwait(false);
            // The clip may have been re-planned meanwhile: keep its frames, take the preview.
            if (storage.Find(clipId) is { } latest)
            {
                storage.Update(latest, latest with { PreviewState = state, PreviewError = error });
            }
        }
        return true;
    }

    private async Task MakeExactFramesAsync(string clipId, CancellationToken cancellationToken)
    {
        var gate = storage.FramesGate(clipId);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (storage.Find(clipId) is { } current && NeedsExactFrames(current))
            {
                int version = current.FramesVersion + 1;
                var strip = await thumbnails.WriteAsync(current.SourcePath, current.Probe, current.FrameOptions, version, quick: false, cancellationToken)
                    .ConfigureAwait(false);
                if (storage.Update(current, strip.ShownBy(current, version) with { FramesExact = true }))
                {
                    storage.DeleteFolder(ClipStorage.FramesPath(current.Folder, current.FramesVersion));
                }
            }
        }
        catch (Exception ex) when (ex is MediaException || ClipFiles.IsDiskFull(ex))
        {
            logger.LogWarning("Exact frames of clip {ClipId} could not be made; the keyframe thumbnails stay: {Error}", clipId, ex.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<(PreviewState State, string? Error)> MakePreviewAsync(StoredClip clip, CancellationToken cancellationToken)
    {
        try
        {
            await previews.TranscodeAsync(clip.SourcePath, clip.Probe, clip.Folder, limits.Value.MaxDurationSeconds, cancellationToken).ConfigureAwait(false);
            return (PreviewState.Ready, null);
        }
        catch (MediaException ex)
        {
            return (PreviewState.Failed, ex.Message);
        }
        catch (Exception ex) when (ClipFiles.IsDiskFull(ex))
        {
            logger.LogError("The disk is full; the browser preview of clip {ClipId} could not be made", clip.Id);
            return (PreviewState.Failed, "The server's disk was full, so no browser preview could be made; the clip can still be narrated.");
        }
    }
}
