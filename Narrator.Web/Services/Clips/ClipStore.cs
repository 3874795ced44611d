using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Narrator.Model;
using Narrator.Model.Media;
using Narrator.Model.Subtitles;
using Narrator.Web.Narrations;
using Narrator.Model.Segmentation;
using Narrator.Web.Services.Preprocessing;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Clips;

/// <summary>
/// Uploaded clips: streams a visitor's file to disk under a random id and a fixed name with no extension (enforcing the
/// byte limit and the storage quotas while it arrives), probes it (single-file formats only) and checks the duration /
/// resolution / frame-count limits before accepting it, makes the first thumbnails of the frames the model will see,
/// and leaves heavy work (a browser preview transcode, exact frames of a very large clip, the split of a long one) to
/// the background. Anything refused leaves no file behind; clips are deleted when they expire.
/// </summary>
public sealed partial class ClipStore
{
    private const string MetadataFile = "clip.json";
    private const string FramesFolder = "frames";
    /// <summary>The upload's name on disk: fixed, with no extension, so nothing about the visitor's name reaches ffmpeg.</summary>
    private const string SourceFile = "source";
    private const int ThumbnailWidth = 320;
    private const int CopyBufferBytes = 81920;
    // Keyframe stand-ins shown while the exact frames of a very large clip are made (each costs one seek and one keyframe).
    private const int QuickKeyframeThumbnails = 8;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly ConcurrentDictionary<string, StoredClip> clips = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> replanLocks = new(StringComparer.Ordinal);
    // Uploads still arriving or waiting for the pool: their folders are not yet clips but must survive the sweep.
    private readonly ConcurrentDictionary<string, NarrationOwner> arriving = new(StringComparer.Ordinal);
    private readonly DataFolder folder;
    private readonly UploadOptions limits;
    private readonly MediaProber prober;
    private readonly FrameExtractor extractor;
    private readonly PreviewMaker previews;
    private readonly PreprocessingPool pool;
    private readonly ClipSegmentations segmentations;
    private readonly SubtitleStreamReader subtitles;
    private readonly FfmpegLocator ffmpeg;
    private readonly ClipFiles files;
    private readonly SegmentationOptions segmentation;
    private readonly TimeProvider time;
    private readonly ILogger<ClipStore> logger;
    private readonly long totalQuota;

    public ClipStore(DataFolder folder, IOptions<UploadOptions> limits, MediaProber prober, FrameExtractor extractor,
        PreviewMaker previews, PreprocessingPool pool, ClipSegmentations segmentations, SubtitleStreamReader subtitles, FfmpegLocator ffmpeg,
        ClipFiles files, IOptions<SegmentationOptions> segmentation, TimeProvider time, ILogger<ClipStore> logger)
    {
        this.segmentations = segmentations;
        this.subtitles = subtitles;
        this.folder = folder;
        this.limits = limits.Value;
        this.prober = prober;
        this.extractor = extractor;
        this.previews = previews;
        this.pool = pool;
        this.ffmpeg = ffmpeg;
        this.files = files;
        this.segmentation = segmentation.Value;
        this.time = time;
        this.logger = logger;
        totalQuota = this.limits.StorageQuotaBytes > 0 ? this.limits.StorageQuotaBytes : HalfTheFreeSpace(folder.Clips);
        Reload();
    }

    /// <summary>Base path of the HTTP routes that serve frames and previews.</summary>
    public const string RoutePrefix = "/api/clips";

    /// <summary>Raised when a clip changes after its upload was answered (its preview or exact frames are ready).</summary>
    public event Action<ClipInfo>? ClipUpdated;

    /// <summary>Bytes all stored clips may take together (configured, or half the free disk space at start).</summary>
    public long TotalQuotaBytes => totalQuota;

    /// <summary>
    /// Stores an upload as <paramref name="owner"/>'s and returns what the page shows: probe, frame plan (for
    /// <paramref name="frameOptions"/>, or Narrator's defaults), thumbnail URLs and a preview URL. Throws
    /// <see cref="ClipRejectedException"/> (with the HTTP status to answer) when the name, size, format, duration,
    /// resolution, frame count or a storage quota refuses it, the body is cut short, the disk is full or ffmpeg is missing.
    /// </summary>
    /// <param name="content">The file's bytes; read once, never buffered whole.</param>
    /// <param name="fileName">The visitor's file name; only a label. Names holding a path are refused.</param>
    /// <param name="owner">The visitor uploading it: only they may re-plan or delete it.</param>
    public async Task<ClipInfo> SaveAsync(Stream content, string? fileName, NarrationOwner owner, FrameOptions? frameOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        string label = ClipLabels.FromFileName(fileName);
        var options = frameOptions ?? new FrameOptions();
        CheckFrameOptions(options);
        if (ffmpeg.Problem() is { } missing)
        {
            throw new ClipRejectedException(StatusCodes.Status503ServiceUnavailable, missing);
        }
        var room = RoomFor(owner);
        string id = NewId();
        string clipFolder = Path.Combine(folder.Clips, id);
        arriving[id] = owner;
        string sourcePath = Path.Combine(clipFolder, SourceFile);
        try
        {
            Directory.CreateDirectory(clipFolder);
            long bytes = await CopyWithLimitAsync(content, sourcePath, room, cancellationToken).ConfigureAwait(false);
            if (bytes == 0)
            {
                throw new ClipRejectedException(StatusCodes.Status400BadRequest, $"{label} is empty (0 bytes); please choose a video or image file.");
            }
            var clip = await pool.RunAsync(ct => AcceptWithDeadlineAsync(id, owner, label, sourcePath, options, ct), PreprocessingPriority.Upload,
                cancellationToken, owner).ConfigureAwait(false);
            clips[id] = clip;
            StartBackgroundWork(clip);
            logger.LogInformation("Clip {ClipId} accepted: {Label}, {Bytes} bytes, {Kind} {Width}x{Height} {Duration:F1}s, {Frames} frames planned",
                id, label, bytes, clip.Probe.Kind, clip.Probe.Width, clip.Probe.Height, clip.Probe.DurationSeconds, clip.Plan.NFrames);
            return ToInfo(clip);
        }
        catch (Exception ex)
        {
            DeleteFolder(clipFolder);
            if (Rejection(ex, sourcePath, label) is { } rejection)
            {
                throw rejection;
            }
            throw;
        }
        finally
        {
            arriving.TryRemove(id, out _);
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
            var room = RoomFor(clip.Owner);
            if (growth > room.Owner)
            {
                throw OwnerQuotaFull();
            }
            if (growth > room.Total)
            {
                throw TotalQuotaFull();
            }
        }
        string temporary = path + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await files.WriteAllBytesAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ClipFiles.IsDiskFull(ex))
        {
            File.Delete(temporary);
            logger.LogError("The disk holding {Folder} is full; a file for clip {ClipId} was refused", folder.Clips, clip.Id);
            throw new ClipRejectedException(StatusCodes.Status507InsufficientStorage,
                "The server's disk is full, so the file could not be stored; please try again later.", ex);
        }
    }

    /// <summary>The refusal to answer for what went wrong while storing or reading an upload, or null for a bug.</summary>
    private ClipRejectedException? Rejection(Exception ex, string sourcePath, string label) => ex switch
    {
        ClipRejectedException rejected => rejected,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new ClipRejectedException(StatusCodes.Status413PayloadTooLarge,
            $"The file is larger than the {FormatBytes(limits.MaxBytes)} upload limit.", ex),
        FfmpegMissingException missing => new ClipRejectedException(StatusCodes.Status503ServiceUnavailable, missing.Message, ex),
        MediaException media => new ClipRejectedException(StatusCodes.Status415UnsupportedMediaType, WithoutServerPaths(media.Message, sourcePath, label), ex),
        UserInputException user => new ClipRejectedException(StatusCodes.Status422UnprocessableEntity, WithoutServerPaths(user.Message, sourcePath, label), ex),
        _ when ClipFiles.IsDiskFull(ex) => DiskFull(ex),
        _ => null,
    };

    private ClipRejectedException DiskFull(Exception ex)
    {
        logger.LogError("The disk holding {Folder} is full; an upload was refused", folder.Clips);
        return new ClipRejectedException(StatusCodes.Status507InsufficientStorage,
            "The server's disk is full, so the upload could not be stored; please try again later.", ex);
    }

    /// <summary>Re-plans a clip's frames for other options (e.g. a template's), replacing its thumbnails.</summary>
    public async Task<ClipInfo> ReplanAsync(string clipId, FrameOptions options, CancellationToken cancellationToken)
    {
        var clip = Find(clipId) ?? throw new ClipNotFoundException(clipId);
        CheckFrameOptions(options);
        if (clip.FrameOptions == options)
        {
            return ToInfo(clip);
        }
        var gate = replanLocks.GetOrAdd(clipId, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            clip = Find(clipId) ?? throw new ClipNotFoundException(clipId);
            var current = clip;
            var thumbnails = await pool.RunAsync(
                ct => WriteThumbnailsAsync(current.SourcePath, current.Probe, options, current.FramesVersion + 1, quick: true, ct),
                PreprocessingPriority.Upload, cancellationToken, clip.Owner).ConfigureAwait(false);
            var replanned = clip with
            {
                FrameOptions = options, Plan = thumbnails.Plan, FrameTimestamps = thumbnails.Timestamps, FrameIndices = thumbnails.Indices,
                FramesExact = thumbnails.Exact, DecodeWarning = thumbnails.DecodeWarning, FramesVersion = clip.FramesVersion + 1,
            };
            TryDelete(Path.Combine(clip.Folder, FramesFolder, clip.FramesVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            clips[clipId] = replanned;
            await WriteMetadataAsync(replanned, cancellationToken).ConfigureAwait(false);
            if (!replanned.FramesExact && NeedsExactFrames(replanned))
            {
                StartBackgroundWork(replanned);
            }
            return ToInfo(replanned);
        }
        catch (Exception ex) when (ex is MediaException or IOException && (ex is MediaException || ClipFiles.IsDiskFull(ex)))
        {
            throw ex is MediaException
                ? new ClipRejectedException(StatusCodes.Status422UnprocessableEntity, WithoutServerPaths(ex.Message, clip.SourcePath, clip.Label), ex)
                : DiskFull(ex);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The clip, or null when the id is unknown or expired.</summary>
    public StoredClip? Find(string clipId) =>
        IsValidId(clipId) && clips.TryGetValue(clipId, out var clip) && clip.ExpiresAt > time.GetUtcNow() ? clip : null;

    public ClipInfo? Get(string clipId) => Find(clipId) is { } clip ? ToInfo(clip) : null;

    /// <summary>Keeps a clip alive for another lifetime (a narration of it was just queued).</summary>
    public void Touch(string clipId)
    {
        if (Find(clipId) is { } clip)
        {
            clips.TryUpdate(clipId, clip with { ExpiresAt = time.GetUtcNow() + limits.ClipLifetime }, clip);
        }
    }

    /// <summary>Makes a clip due for deletion at the next sweep (e.g. an admin removing it, or a test).</summary>
    internal void Expire(string clipId)
    {
        if (clips.TryGetValue(clipId, out var clip))
        {
            clips.TryUpdate(clipId, clip with { ExpiresAt = time.GetUtcNow() }, clip);
        }
    }

    /// <summary>Path of thumbnail <paramref name="frameNumber"/> (0-based, in plan order), or null.</summary>
    public string? FramePath(string clipId, int frameNumber)
    {
        if (Find(clipId) is not { } clip || frameNumber < 0 || frameNumber >= clip.FrameTimestamps.Length)
        {
            return null;
        }
        string path = Path.Combine(clip.Folder, FramesFolder, clip.FramesVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{frameNumber}.jpg");
        return File.Exists(path) ? path : null;
    }

    /// <summary>The file a browser plays for this clip and its content type, or null (see <see cref="StoredClip.PreviewState"/>).</summary>
    public (string Path, string ContentType)? Preview(string clipId) =>
        Find(clipId) is { PreviewState: PreviewState.Ready } clip && File.Exists(clip.PreviewPath) ? (clip.PreviewPath, clip.PreviewContentType) : null;

    public bool Delete(string clipId)
    {
        if (!IsValidId(clipId) || !clips.TryRemove(clipId, out var clip))
        {
            return false;
        }
        DeleteFolder(clip.Folder);
        replanLocks.TryRemove(clipId, out _);
        logger.LogInformation("Clip {ClipId} deleted", clipId);
        return true;
    }

    /// <summary>Deletes expired clips (oldest first) and any folder the store does not know (left by a crash); returns how many clips went.</summary>
    public int DeleteExpired()
    {
        var now = time.GetUtcNow();
        int deleted = 0;
        foreach (var (id, clip) in clips.OrderBy(pair => pair.Value.CreatedAt))
        {
            if (clip.ExpiresAt <= now && clips.TryRemove(id, out _))
            {
                DeleteFolder(clip.Folder);
                replanLocks.TryRemove(id, out _);
                deleted++;
            }
        }
        foreach (var directory in Directory.EnumerateDirectories(folder.Clips))
        {
            string name = Path.GetFileName(directory);
            if (!clips.ContainsKey(name) && !arriving.ContainsKey(name))
            {
                DeleteFolder(directory);
            }
        }
        if (deleted > 0)
        {
            logger.LogInformation("Deleted {Count} expired clip(s)", deleted);
        }
        return deleted;
    }

    public int Count => clips.Count;

    /// <summary>Bytes the clips of <paramref name="owner"/> (or everybody's, when null) take on disk, uploads still arriving included.</summary>
    public long StoredBytes(NarrationOwner? owner = null)
    {
        long total = 0;
        foreach (var (id, clip) in clips)
        {
            if (owner is null || clip.Owner == owner)
            {
                total += FolderBytes(clip.Folder);
            }
        }
        foreach (var (id, uploader) in arriving)
        {
            if (owner is null || uploader == owner)
            {
                total += FolderBytes(Path.Combine(folder.Clips, id));
            }
        }
        return total;
    }

    /// <summary>
    /// How many bytes <paramref name="owner"/> may still upload, after expired clips have gone; refuses at once (429 for
    /// the owner's quota, 507 for the total) when there is no room at all.
    /// </summary>
    private UploadRoom RoomFor(NarrationOwner owner)
    {
        long ownerUsed = StoredBytes(owner), totalUsed = StoredBytes();
        if ((ownerUsed >= limits.OwnerQuotaBytes || totalUsed >= totalQuota) && DeleteExpired() > 0)
        {
            ownerUsed = StoredBytes(owner);
            totalUsed = StoredBytes();
        }
        var room = new UploadRoom(limits.MaxBytes, limits.OwnerQuotaBytes - ownerUsed, totalQuota - totalUsed);
        if (room.Owner <= 0)
        {
            throw OwnerQuotaFull();
        }
        if (room.Total <= 0)
        {
            throw TotalQuotaFull();
        }
        return room;
    }

    private ClipRejectedException OwnerQuotaFull() => new(StatusCodes.Status429TooManyRequests,
        $"Your stored clips already take the {FormatBytes(limits.OwnerQuotaBytes)} each visitor may keep; delete some " +
        $"(DELETE {RoutePrefix}/{{id}}) or wait until they expire ({limits.ClipLifetimeMinutes} minutes after their last use), then upload again.");

    private ClipRejectedException TotalQuotaFull()
    {
        logger.LogWarning("Clip storage is at its quota of {Quota} bytes; an upload was refused", totalQuota);
        return new(StatusCodes.Status507InsufficientStorage,
            $"The server's clip storage is full ({FormatBytes(totalQuota)}); please try again later, when older clips have expired.");
    }

    /// <summary>Bytes an upload may take: the upload limit, the owner's remaining quota, the total remaining quota.</summary>
    private readonly record struct UploadRoom(long MaxBytes, long Owner, long Total);

    /// <summary>Probe, first thumbnails and preview decision within ProcessingTimeoutSeconds of getting a pool slot (waiting for the slot does not count).</summary>
    private async Task<StoredClip> AcceptWithDeadlineAsync(string id, NarrationOwner owner, string label, string sourcePath, FrameOptions options,
        CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(limits.ProcessingTimeoutSeconds));
        try
        {
            return await AcceptAsync(id, owner, label, sourcePath, options, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClipRejectedException(StatusCodes.Status422UnprocessableEntity,
                $"{label} took longer than {limits.ProcessingTimeoutSeconds} seconds to read; please upload a shorter or simpler clip.", ex);
        }
    }

    private async Task<StoredClip> AcceptAsync(string id, NarrationOwner owner, string label, string sourcePath, FrameOptions options,
        CancellationToken cancellationToken)
    {
        var probe = await prober.ProbeAsync(sourcePath, cancellationToken).ConfigureAwait(false);
        CheckLimits(label, probe);
        var thumbnails = await WriteThumbnailsAsync(sourcePath, probe, options, 0, quick: true, cancellationToken).ConfigureAwait(false);
        string clipFolder = Path.GetDirectoryName(sourcePath)!;
        var subtitleStreams = await ListSubtitlesAsync(label, sourcePath, probe, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        bool transcode = PreviewMaker.NeedsTranscode(probe);
        var (previewName, previewType) = transcode ? PreviewMaker.TranscodeTarget(probe) : (SourceFile, PreviewMaker.PlayableContentType(probe)!);
        var clip = new StoredClip
        {
            Id = id,
            Owner = owner,
            Label = label,
            SourcePath = sourcePath,
            Probe = probe,
            FrameOptions = options,
            Plan = thumbnails.Plan,
            FrameTimestamps = thumbnails.Timestamps,
            FrameIndices = thumbnails.Indices,
            FramesExact = thumbnails.Exact,
            DecodeWarning = thumbnails.DecodeWarning,
            PreviewPath = Path.Combine(clipFolder, previewName),
            PreviewContentType = previewType,
            PreviewState = transcode ? PreviewState.Making : PreviewState.Ready,
            CreatedAt = now,
            ExpiresAt = now + limits.ClipLifetime,
            SubtitleStreams = subtitleStreams,
        };
        await WriteMetadataAsync(clip, cancellationToken).ConfigureAwait(false);
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
            logger.LogWarning("The subtitle streams of {Label} could not be listed: {Error}", label, WithoutServerPaths(ex.Message, sourcePath, label));
            return [];
        }
    }

    /// <summary>Exact frames are worth making in the background only where the model sees the whole-clip plan (not a long video's).</summary>
    private bool NeedsExactFrames(StoredClip clip) => !clip.FramesExact && !segmentation.IsLong(clip.Probe);

    /// <summary>
    /// Queues the clip's heavy work on the background slots (one job per visitor at a time, ffmpeg at the lowest CPU
    /// priority): exact frames of a very large clip, the browser preview transcode, then the split of a long clip.
    /// </summary>
    private void StartBackgroundWork(StoredClip clip)
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
                if (Find(clip.Id) is { } done)
                {
                    segmentations.StartSplitting(done);
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private async Task<bool> FinishInBackgroundAsync(string clipId, CancellationToken cancellationToken)
    {
        if (Find(clipId) is not { } clip)
        {
            return false;
        }
        if (NeedsExactFrames(clip))
        {
            var gate = replanLocks.GetOrAdd(clipId, static _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (Find(clipId) is { } current && NeedsExactFrames(current))
                {
                    var thumbnails = await WriteThumbnailsAsync(current.SourcePath, current.Probe, current.FrameOptions, current.FramesVersion + 1, quick: false,
                        cancellationToken).ConfigureAwait(false);
                    var exact = current with
                    {
                        Plan = thumbnails.Plan, FrameTimestamps = thumbnails.Timestamps, FrameIndices = thumbnails.Indices, FramesExact = true, DecodeWarning = thumbnails.DecodeWarning,
                        FramesVersion = current.FramesVersion + 1,
                    };
                    if (Update(current, exact))
                    {
                        TryDelete(Path.Combine(current.Folder, FramesFolder, current.FramesVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
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
        if (Find(clipId) is { PreviewState: PreviewState.Making } making)
        {
            StoredClip finished;
            try
            {
                await previews.TranscodeAsync(making.SourcePath, making.Probe, making.Folder, limits.MaxDurationSeconds, cancellationToken).ConfigureAwait(false);
                finished = making with { PreviewState = PreviewState.Ready };
            }
            catch (MediaException ex)
            {
                finished = making with { PreviewState = PreviewState.Failed, PreviewError = ex.Message };
            }
            catch (Exception ex) when (ClipFiles.IsDiskFull(ex))
            {
                logger.LogError("The disk is full; the browser preview of clip {ClipId} could not be made", clipId);
                finished = making with { PreviewState = PreviewState.Failed, PreviewError = "The server's disk was full, so no browser preview could be made; the clip can still be narrated." };
            }
            // The clip may have been re-planned meanwhile: keep its frames, take the preview.
            if (Find(clipId) is { } latest)
            {
                Update(latest, latest with { PreviewState = finished.PreviewState, PreviewError = finished.PreviewError });
            }
        }
        return true;
    }

    /// <summary>Replaces a clip's record if nobody changed it meanwhile, saves it and tells the page.</summary>
    private bool Update(StoredClip before, StoredClip after)
    {
        if (!clips.TryUpdate(before.Id, after, before))
        {
            return false;
        }
        try
        {
            WriteMetadataAsync(after, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (IOException ex)
        {
            logger.LogWarning("Could not save the record of clip {ClipId}: {Error}", after.Id, ex.Message);
        }
        ClipUpdated?.Invoke(ToInfo(after));
        return true;
    }

    /// <summary>
    /// Writes JPEG thumbnails of the planned frames under frames/{version}/. Exact frames when decoding up to the last
    /// planned one fits <see cref="UploadOptions.QuickDecodePixels"/> (or when not <paramref name="quick"/>); otherwise a
    /// few keyframes near the planned times, at one keyframe decode each.
    /// </summary>
    private async Task<(FramePlan Plan, double[] Timestamps, int[]? Indices, bool Exact, string? DecodeWarning)> WriteThumbnailsAsync(
        string sourcePath, MediaProbe probe, FrameOptions options, int version, bool quick, CancellationToken cancellationToken)
    {
        var plan = FramePlanner.Plan(probe, options);
        bool exact = !quick || DecodeCost(probe, plan) <= limits.QuickDecodePixels;
        DecodedFrames frames;
        string? decodeWarning = null;
        if (exact)
        {
            frames = await extractor.ExtractAsync(sourcePath, probe, plan, firstFrame: 0,
                quick ? FfmpegPriority.Normal : FfmpegPriority.Background, cancellationToken).ConfigureAwait(false);
            if (frames.Count < plan.NFrames)
            {
                decodeWarning = DecodeWarning(probe, plan, frames);
                // The model will see only what decodes, so the strip shows exactly that.
                plan = plan with { NFrames = frames.Count, Indices = frames.Indices };
            }
        }
        else
        {
            int count = Math.Min(QuickKeyframeThumbnails, plan.NFrames);
            var positions = Enumerable.Range(0, count).Select(i => count == 1 ? 0 : (int)Math.Round(i * (plan.NFrames - 1) / (double)(count - 1))).Distinct().ToList();
            frames = await extractor.ExtractKeyframesNearAsync(sourcePath, probe, plan, positions, cancellationToken).ConfigureAwait(false);
        }
        string target = Path.Combine(Path.GetDirectoryName(sourcePath)!, FramesFolder, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(target);
        for (int i = 0; i < frames.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] jpeg = FrameImageEncoder.Encode(frames, i, FrameImageFormat.Jpeg, quality: 85, maxWidth: ThumbnailWidth);
            await files.WriteAllBytesAsync(Path.Combine(target, $"{i}.jpg"), jpeg, cancellationToken).ConfigureAwait(false);
        }
        // Keyframe stand-ins carry their own indices and times; the plan stays the model's.
        return (plan, frames.TimestampsSeconds, exact ? null : frames.Indices, exact, decodeWarning);
    }

    /// <summary>The damaged-file sentence: how many planned frames decoded and how far into the file decoding got.</summary>
    private static string DecodeWarning(MediaProbe probe, FramePlan plan, DecodedFrames frames)
    {
        int reached = frames.Count == 0 ? 0 : frames.Indices[^1] + 1;
        string extent = probe.FrameCount > 0
            ? $"decoding stopped around frame {reached} of the {probe.FrameCount} the file claims"
            : "decoding stopped early";
        return $"Only {frames.Count} of the {plan.NFrames} planned frames could be decoded ({extent}); the file is damaged or cut short, "
            + $"so the model will see those {frames.Count} frame{(frames.Count == 1 ? "" : "s")}.";
    }

    /// <summary>Pixels decoded to reach the last planned frame in one pass.</summary>
    internal static long DecodeCost(MediaProbe probe, FramePlan plan) =>
        (long)probe.Width * probe.Height * (plan.Indices.Length == 0 ? 1 : plan.Indices[^1] + 1L);

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
            if (total > room.MaxBytes)
            {
                throw new ClipRejectedException(StatusCodes.Status413PayloadTooLarge,
                    $"The file is larger than the {FormatBytes(limits.MaxBytes)} upload limit.");
            }
            if (total > room.Owner)
            {
                throw OwnerQuotaFull();
            }
            if (total > room.Total)
            {
                throw TotalQuotaFull();
            }
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }

    private void CheckLimits(string label, MediaProbe probe)
    {
        // Compared at the precision the message shows: a "10-minute" file is often 600.04 s long.
        if (Math.Round(probe.DurationSeconds, 1) > limits.MaxDurationSeconds)
        {
            throw new ClipRejectedException(StatusCodes.Status422UnprocessableEntity,
                $"{label} is {probe.DurationSeconds:0.#} seconds long; clips may be at most {limits.MaxDurationSeconds:0.#} seconds.");
        }
        if (probe.Width > limits.MaxWidth || probe.Height > limits.MaxHeight)
        {
            throw new ClipRejectedException(StatusCodes.Status422UnprocessableEntity,
                $"{label} is {probe.Width}x{probe.Height}; the largest accepted size is {limits.MaxWidth}x{limits.MaxHeight}.");
        }
        if (probe.FrameCount > limits.MaxFrameCount)
        {
            throw new ClipRejectedException(StatusCodes.Status422UnprocessableEntity,
                $"{label} has {probe.FrameCount} frames; clips may have at most {limits.MaxFrameCount}.");
        }
        if (probe.Width <= 0 || probe.Height <= 0)
        {
            throw new ClipRejectedException(StatusCodes.Status415UnsupportedMediaType, $"{label} has no picture of a usable size.");
        }
    }

    private static void CheckFrameOptions(FrameOptions options)
    {
        try
        {
            FramePlanner.Validate(options);
        }
        catch (UserInputException ex)
        {
            throw new ClipRejectedException(StatusCodes.Status400BadRequest, ex.Message, ex);
        }
    }

    private static ClipInfo ToInfo(StoredClip clip)
    {
        var frames = new FrameThumbnail[clip.FrameTimestamps.Length];
        for (int i = 0; i < frames.Length; i++)
        {
            int index = clip.FrameIndices is { } own && i < own.Length ? own[i] : clip.Plan.Indices[i];
            frames[i] = new FrameThumbnail(index, clip.FrameTimestamps[i], $"{RoutePrefix}/{clip.Id}/frames/{i}?v={clip.FramesVersion}");
        }
        return new ClipInfo(clip.Id, clip.Label, clip.Probe, clip.Plan, frames, $"{RoutePrefix}/{clip.Id}/preview")
        {
            PreviewStatus = clip.PreviewState switch { PreviewState.Making => "making", PreviewState.Failed => "failed", _ => "ready" },
            PreviewMessage = clip.PreviewState switch
            {
                PreviewState.Making => "The browser preview of this clip is still being made; the clip can already be narrated.",
                PreviewState.Failed => clip.PreviewError ?? "No browser preview could be made; the clip can still be narrated.",
                _ => null,
            },
            FramesExact = clip.FramesExact,
            DecodeWarning = clip.DecodeWarning,
            SubtitleStreams = clip.SubtitleStreams,
        };
    }

    private async Task WriteMetadataAsync(StoredClip clip, CancellationToken cancellationToken)
    {
        string path = Path.Combine(clip.Folder, MetadataFile);
        await files.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(clip, Json), cancellationToken).ConfigureAwait(false);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Picks up clips stored before a restart; anything unreadable or expired is deleted.</summary>
    private void Reload()
    {
        var now = time.GetUtcNow();
        foreach (var directory in Directory.EnumerateDirectories(folder.Clips))
        {
            string id = Path.GetFileName(directory);
            StoredClip? clip = null;
            try
            {
                string metadata = Path.Combine(directory, MetadataFile);
                clip = IsValidId(id) && File.Exists(metadata) ? JsonSerializer.Deserialize<StoredClip>(File.ReadAllText(metadata), Json) : null;
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                logger.LogWarning("Clip folder {Folder} has unreadable metadata and is deleted: {Error}", id, ex.Message);
            }
            if (clip is not null && clip.Id == id && clip.ExpiresAt > now && File.Exists(clip.SourcePath))
            {
                clips[id] = clip;
                // Work cut off by the restart is picked up again.
                if (clip.PreviewState == PreviewState.Making || NeedsExactFrames(clip))
                {
                    StartBackgroundWork(clip);
                }
            }
            else
            {
                DeleteFolder(directory);
            }
        }
    }

    private void DeleteFolder(string path)
    {
        // Only ever delete inside the clips folder.
        if (!Path.GetFullPath(path).StartsWith(folder.Clips + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return;
        }
        TryDelete(path);
    }

    private void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException ex)
        {
            logger.LogWarning("Could not delete {Path}: {Error}", path, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            logger.LogWarning("Could not delete {Path}: {Error}", path, ex.Message);
        }
    }

    /// <summary>ffmpeg's messages may name the stored file; the person should see their own file name, never our folders.</summary>
    private string WithoutServerPaths(string message, string sourcePath, string label) =>
        ClipLabels.InMessage(message, sourcePath, label).Replace(folder.Root, "", StringComparison.Ordinal);

    private static long FolderBytes(string path)
    {
        try
        {
            return Directory.Exists(path)
                ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(file => file.Exists ? file.Length : 0)
                : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A folder deleted while being counted takes no room.
            return 0;
        }
    }

    private static long HalfTheFreeSpace(string path)
    {
        try
        {
            return Math.Max(1, new DriveInfo(Path.GetFullPath(path)).AvailableFreeSpace / 2);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return long.MaxValue;
        }
    }

    internal static bool IsValidId(string? id) => id is { Length: 24 } && id.All(char.IsAsciiHexDigitLower);

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private static string FormatBytes(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024.0 * 1024):0.#} MB"
        : $"{bytes / 1024.0:0.#} KB";
}

/// <summary>The clip id is unknown or the clip has expired.</summary>
public sealed class ClipNotFoundException(string clipId)
    : UserInputException($"No clip with id \"{clipId}\" exists (clips are deleted after they expire); please upload it again.");
