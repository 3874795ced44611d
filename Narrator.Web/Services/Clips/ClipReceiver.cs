using Microsoft.Extensions.Options;
using Narrator.Model;
using Narrator.Model.Media;
using Narrator.Model.Subtitles;
using Narrator.Web.Services.Preprocessing;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Clips;

/// <summary>
/// Takes an upload in: streams the body to disk under a random id (never whole in memory, refused the moment it passes
/// the upload limit or a quota), then, on a preprocessing slot and within the processing deadline, probes it (single-file
/// formats only), admits it, writes its first thumbnails, lists its subtitle streams and decides its preview. Anything
/// refused leaves no file behind and is a <see cref="ClipRejectedException"/> whose sentence names the visitor's file, never ours.
/// </summary>
public sealed class ClipReceiver(ClipStorage storage, ClipAdmission admission, ClipThumbnails thumbnails, ClipFiles files, MediaProber prober,
    SubtitleStreamReader subtitles, PreprocessingPool pool, FfmpegLocator ffmpeg, IOptions<UploadOptions> options, TimeProvider time,
    ILogger<ClipReceiver> logger)
{
    private const int CopyBufferBytes = 81920;
    private readonly UploadOptions limits = options.Value;

    /// <summary>Stores and admits an upload as <paramref name="owner"/>'s, lists it in the storage and returns it (its background work not yet started).</summary>
    public async Task<StoredClip> ReceiveAsync(Stream content, string label, NarrationOwner owner, FrameOptions frameOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ClipAdmission.CheckFrameOptions(frameOptions);
        if (ffmpeg.Problem() is { } missing)
        {
            throw new ClipRejectedException(StatusCodes.Status503ServiceUnavailable, missing);
        }
        var room = RoomFor(owner);
        var (id, clipFolder) = storage.StartArriving(owner);
        string sourcePath = Path.Combine(clipFolder, ClipStorage.SourceFile);
        try
        {
            Directory.CreateDirectory(clipFolder);
            long bytes = await CopyWithLimitAsync(content, sourcePath, room, cancellationToken).ConfigureAwait(false);
            if (bytes == 0)
            {
                throw new ClipRejectedException(StatusCodes.Status400BadRequest, $"{label} is empty (0 bytes); please choose a video or image file.");
            }
            var clip = await pool.RunAsync(ct => AcceptWithDeadlineAsync(id, owner, label, sourcePath, frameOptions, ct), PreprocessingPriority.Upload,
                cancellationToken, owner).ConfigureAwait(false);
            // Listed before it stops arriving, so no sweep finds its folder belonging to nothing.
            storage.Put(clip);
            logger.LogInformation("Clip {ClipId} accepted: {Label}, {Bytes} bytes, {Kind} {Width}x{Height} {Duration:F1}s, {Frames} frames planned",
                id, label, bytes, clip.Probe.Kind, clip.Probe.Width, clip.Probe.Height, clip.Probe.DurationSeconds, clip.Plan.NFrames);
            return clip;
        }
        catch (Exception ex)
        {
            storage.DeleteFolder(clipFolder);
            if (Rejection(ex, sourcePath, label) is { } rejection)
            {
                throw rejection;
            }
            throw;
        }
        finally
        {
            storage.Arrived(id);
        }
    }

    /// <summary>
    /// Writes (or replaces) a file that belongs with a clip, such as an attached subtitle file, inside the clip's folder:
    /// it counts against the clip owner's storage quota and the total one like the upload did, so a refusal is the same
    /// <see cref="ClipRejectedException"/> (429 owner quota, 507 total quota or a full disk) and leaves the old file as it was.
    /// </summary>
    public async Task WriteClipFileAsync(StoredClip clip, string relativePath, byte[] bytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentNullException.ThrowIfNull(bytes);
        string path = Path.GetFullPath(Path.Combine(clip.Folder, relativePath));
        if (!path.StartsWith(clip.Folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"\"{relativePath}\" is outside the clip's folder.", nameof(relativePath));
        }
        long growth = bytes.Length - (File.Exists(path) ? new FileInfo(path).Length : 0);
        if (growth > 0)
        {
            admission.CheckGrowth(growth, RoomFor(clip.Owner));
        }
        try
        {
            await storage.WriteFileAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClipFiles.IsDiskFull(ex))
        {
            logger.LogError("The disk holding the clips is full; a file for clip {ClipId} was refused", clip.Id);
            throw ClipRejectedException.DiskFull(ex, "the file");
        }
    }

    /// <summary>
    /// How many bytes <paramref name="owner"/> may still store, after expired clips have gone; refuses at once (429 for
    /// the owner's quota, 507 for the total) when there is no room at all.
    /// </summary>
    private UploadRoom RoomFor(NarrationOwner owner)
    {
        long ownerUsed = storage.StoredBytes(owner), totalUsed = storage.StoredBytes();
        if (admission.IsFull(ownerUsed, totalUsed) && storage.DeleteExpired() > 0)
        {
            ownerUsed = storage.StoredBytes(owner);
            totalUsed = storage.StoredBytes();
        }
        return admission.Room(ownerUsed, totalUsed);
    }

    private async Task<long> CopyWithLimitAsync(Stream content, string path, UploadRoom room, CancellationToken cancellationToken)
    {
        long total = 0;
        byte[] buffer = new byte[CopyBufferBytes];
        await using var file = files.Create(path);
        while (true)
        {
            int read;
            try
            {
                read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (ex is not BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } && !cancellationToken.IsCancellationRequested)
            {
                throw new ClipRejectedException(StatusCodes.Status400BadRequest,
                    "The upload ended before the whole file arrived (the body was cut short or the connection dropped); please send it again.", ex);
            }
            if (read == 0)
            {
                return total;
            }
            total += read;
            admission.CheckReceived(total, room);
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The refusal to answer for what went wrong while storing or reading an upload, or null for a bug.</summary>
    private ClipRejectedException? Rejection(Exception ex, string sourcePath, string label)
    {
        switch (ex)
        {
            case ClipRejectedException rejected:
                return rejected;
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return admission.TooLarge(ex);
            case FfmpegMissingException missing:
                return new ClipRejectedException(StatusCodes.Status503ServiceUnavailable, missing.Message, ex);
            case MediaException media:
                return new ClipRejectedException(StatusCodes.Status415UnsupportedMediaType, storage.WithoutServerPaths(media.Message, sourcePath, label), ex);
            case UserInputException user:
                return new ClipRejectedException(StatusCodes.Status422UnprocessableEntity, storage.WithoutServerPaths(user.Message, sourcePath, label), ex);
            case var _ when ClipFiles.IsDiskFull(ex):
                logger.LogError("The disk holding the clips is full; an upload was refused");
                return ClipRejectedException.DiskFull(ex, "the upload");
            default:
                return null;
        }
    }

    /// <summary>Probe, first thumbnails and preview decision within ProcessingTimeoutSeconds of getting a pool slot (waiting for the slot does not count).</summary>
    private async Task<StoredClip> AcceptWithDeadlineAsync(string id, NarrationOwner owner, string label, string sourcePath, FrameOptions frameOptions,
        CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(limits.ProcessingTimeoutSeconds));
        try
        {
            return await AcceptAsync(id, owner, label, sourcePath, frameOptions, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClipRejectedException(StatusCodes.Status422UnprocessableEntity,
                $"{label} took longer than {limits.ProcessingTimeoutSeconds} seconds to read; please upload a shorter or simpler clip.", ex);
        }
    }

    private async Task<StoredClip> AcceptAsync(string id, NarrationOwner owner, string label, string sourcePath, FrameOptions frameOptions,
        CancellationToken cancellationToken)
    {
        var probe = await prober.ProbeAsync(sourcePath, cancellationToken).ConfigureAwait(false);
        admission.CheckProbe(label, probe);
        var strip = await thumbnails.WriteAsync(sourcePath, probe, frameOptions, 0, quick: true, cancellationToken).ConfigureAwait(false);
        var subtitleStreams = await ListSubtitlesAsync(label, sourcePath, probe, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        bool transcode = PreviewMaker.NeedsTranscode(probe);
        var (previewName, previewType) = transcode ? PreviewMaker.TranscodeTarget(probe) : (ClipStorage.SourceFile, PreviewMaker.PlayableContentType(probe)!);
        var clip = strip.ShownBy(new StoredClip
        {
            Id = id,
            Owner = owner,
            Label = label,
            SourcePath = sourcePath,
            Probe = probe,
            FrameOptions = frameOptions,
            Plan = strip.Plan,
            FrameTimestamps = strip.Timestamps,
            PreviewPath = Path.Combine(Path.GetDirectoryName(sourcePath)!, previewName),
            PreviewContentType = previewType,
            PreviewState = transcode ? PreviewState.Making : PreviewState.Ready,
            CreatedAt = now,
            ExpiresAt = now + limits.ClipLifetime,
            SubtitleStreams = subtitleStreams,
        }, version: 0);
        await storage.WriteRecordAsync(clip, cancellationToken).ConfigureAwait(false);
        return clip;
    }

    /// <summary>The clip's subtitle streams; a listing that fails costs the visitor only the subtitles, never the upload.</summary>
    private async Task<IReadOnlyList<SubtitleStream>> ListSubtitlesAsync(string label, string sourcePath, MediaProbe probe, CancellationToken cancellationToken)
    {
        try
        {
            return await subtitles.ListAsync(sourcePath, probe, cancellationToken).ConfigureAwait(false);
        }
        catch (MediaException ex)
        {
            logger.LogWarning("The subtitle streams of {Label} could not be listed: {Error}", label, storage.WithoutServerPaths(ex.Message, sourcePath, label));
            return [];
        }
    }
}
