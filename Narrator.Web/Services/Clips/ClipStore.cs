using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Narrator.Model;
using Narrator.Model.Media;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Preprocessing;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Clips;

/// <summary>
/// Uploaded clips: streams a visitor's file to disk under a random id (enforcing the byte limit while it arrives),
/// probes it and checks the duration/resolution/frame-count limits before accepting it, extracts the frames the model
/// will see as JPEG thumbnails, makes a browser-playable preview when needed, re-plans frames for other options,
/// and deletes clips when they expire. Anything refused leaves no file behind.
/// </summary>
public sealed class ClipStore
{
    private const string MetadataFile = "clip.json";
    private const string FramesFolder = "frames";
    private const int ThumbnailWidth = 320;
    private const int CopyBufferBytes = 81920;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly ConcurrentDictionary<string, StoredClip> clips = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> replanLocks = new(StringComparer.Ordinal);
    // Uploads still arriving or waiting for the pool: their folders are not yet clips but must survive the sweep.
    private readonly ConcurrentDictionary<string, byte> arriving = new(StringComparer.Ordinal);
    private readonly DataFolder folder;
    private readonly UploadOptions limits;
    private readonly MediaProber prober;
    private readonly FrameExtractor extractor;
    private readonly PreviewMaker previews;
    private readonly PreprocessingPool pool;
    private readonly ClipSegmentations segmentations;
    private readonly TimeProvider time;
    private readonly ILogger<ClipStore> logger;

    public ClipStore(DataFolder folder, IOptions<UploadOptions> limits, MediaProber prober, FrameExtractor extractor,
        PreviewMaker previews, PreprocessingPool pool, ClipSegmentations segmentations, TimeProvider time, ILogger<ClipStore> logger)
    {
        this.segmentations = segmentations;
        this.folder = folder;
        this.limits = limits.Value;
        this.prober = prober;
        this.extractor = extractor;
        this.previews = previews;
        this.pool = pool;
        this.time = time;
        this.logger = logger;
        Reload();
    }

    /// <summary>Base path of the HTTP routes that serve frames and previews.</summary>
    public const string RoutePrefix = "/api/clips";

    /// <summary>
    /// Stores an upload and returns what the page shows: probe, frame plan (for <paramref name="frameOptions"/>, or
    /// Narrator's defaults), thumbnail URLs and a preview URL. Throws <see cref="ClipRejectedException"/> (with the HTTP
    /// status to answer) when the name, size, format, duration, resolution or frame count is refused.
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
        string id = NewId();
        string clipFolder = Path.Combine(folder.Clips, id);
        arriving[id] = 0;
        Directory.CreateDirectory(clipFolder);
        string sourcePath = Path.Combine(clipFolder, StoredName(label));
        try
        {
            long bytes = await CopyWithLimitAsync(content, sourcePath, cancellationToken).ConfigureAwait(false);
            if (bytes == 0)
            {
                throw new ClipRejectedException(StatusCodes.Status400BadRequest, $"{label} is empty (0 bytes); please choose a video or image file.");
            }
            var clip = await pool.RunAsync(ct => AcceptWithDeadlineAsync(id, label, owner, sourcePath, options, ct), PreprocessingPriority.Upload, cancellationToken).ConfigureAwait(false);
            clips[id] = clip;
            segmentations.StartSplitting(clip);
            logger.LogInformation("Clip {ClipId} accepted: {Label}, {Bytes} bytes, {Kind} {Width}x{Height} {Duration:F1}s, {Frames} frames planned",
                id, label, bytes, clip.Probe.Kind, clip.Probe.Width, clip.Probe.Height, clip.Probe.DurationSeconds, clip.Plan.NFrames);
            return ToInfo(clip);
        }
        catch (Exception ex)
        {
            DeleteFolder(clipFolder);
            if (ex is MediaException media)
            {
                throw new ClipRejectedException(StatusCodes.Status415UnsupportedMediaType, WithoutServerPaths(media.Message, sourcePath, label), ex);
            }
            if (ex is UserInputException and not ClipRejectedException)
            {
                throw new ClipRejectedException(StatusCodes.Status422UnprocessableEntity, WithoutServerPaths(ex.Message, sourcePath, label), ex);
            }
            throw;
        }
        finally
        {
            arriving.TryRemove(id, out _);
        }
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
            var (plan, timestamps) = await pool.RunAsync(
                ct => WriteThumbnailsAsync(clip.SourcePath, clip.Probe, options, clip.FramesVersion + 1, ct), PreprocessingPriority.Upload, cancellationToken).ConfigureAwait(false);
            var replanned = clip with { FrameOptions = options, Plan = plan, FrameTimestamps = timestamps, FramesVersion = clip.FramesVersion + 1 };
            TryDelete(Path.Combine(clip.Folder, FramesFolder, clip.FramesVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            clips[clipId] = replanned;
            await WriteMetadataAsync(replanned, cancellationToken).ConfigureAwait(false);
            return ToInfo(replanned);
        }
        catch (MediaException ex)
        {
            throw new ClipRejectedException(StatusCodes.Status422UnprocessableEntity, WithoutServerPaths(ex.Message, clip.SourcePath, clip.Label), ex);
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

    /// <summary>The file a browser plays for this clip and its content type, or null.</summary>
    public (string Path, string ContentType)? Preview(string clipId) =>
        Find(clipId) is { } clip && File.Exists(clip.PreviewPath) ? (clip.PreviewPath, clip.PreviewContentType) : null;

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

    /// <summary>Deletes expired clips and any folder the store does not know (left by a crash); returns how many clips went.</summary>
    public int DeleteExpired()
    {
        var now = time.GetUtcNow();
        int deleted = 0;
        foreach (var (id, clip) in clips)
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

    /// <summary>Probe, thumbnails and preview within ProcessingTimeoutSeconds of getting a pool slot (waiting for the slot does not count).</summary>
    private async Task<StoredClip> AcceptWithDeadlineAsync(string id, string label, NarrationOwner owner, string sourcePath, FrameOptions options, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(limits.ProcessingTimeoutSeconds));
        try
        {
            return await AcceptAsync(id, label, owner, sourcePath, options, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClipRejectedException(StatusCodes.Status422UnprocessableEntity,
                $"{label} took longer than {limits.ProcessingTimeoutSeconds} seconds to read; please upload a shorter or simpler clip.", ex);
        }
    }

    private async Task<StoredClip> AcceptAsync(string id, string label, NarrationOwner owner, string sourcePath, FrameOptions options, CancellationToken cancellationToken)
    {
        var probe = await prober.ProbeAsync(sourcePath, cancellationToken).ConfigureAwait(false);
        CheckLimits(label, probe);
        string clipFolder = Path.GetDirectoryName(sourcePath)!;
        var (plan, timestamps) = await WriteThumbnailsAsync(sourcePath, probe, options, 0, cancellationToken).ConfigureAwait(false);
        var (previewPath, previewType) = await previews.MakeAsync(sourcePath, probe, clipFolder, limits.MaxDurationSeconds, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var clip = new StoredClip
        {
            Id = id,
            Label = label,
            Owner = owner,
            SourcePath = sourcePath,
            Probe = probe,
            FrameOptions = options,
            Plan = plan,
            FrameTimestamps = timestamps,
            PreviewPath = previewPath,
            PreviewContentType = previewType,
            CreatedAt = now,
            ExpiresAt = now + limits.ClipLifetime,
        };
        await WriteMetadataAsync(clip, cancellationToken).ConfigureAwait(false);
        return clip;
    }

    /// <summary>Extracts the planned frames and writes them as JPEG thumbnails under frames/{version}/.</summary>
    private async Task<(FramePlan Plan, double[] Timestamps)> WriteThumbnailsAsync(
        string sourcePath, MediaProbe probe, FrameOptions options, int version, CancellationToken cancellationToken)
    {
        var plan = FramePlanner.Plan(probe, options);
        var frames = await extractor.ExtractAsync(sourcePath, probe, plan, cancellationToken).ConfigureAwait(false);
        if (frames.Count < plan.NFrames)
        {
            // The model will see only what decodes, so the strip shows exactly that.
            plan = plan with { NFrames = frames.Count, Indices = frames.Indices };
        }
        string target = Path.Combine(Path.GetDirectoryName(sourcePath)!, FramesFolder, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(target);
        for (int i = 0; i < frames.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] jpeg = FrameImageEncoder.Encode(frames, i, FrameImageFormat.Jpeg, quality: 85, maxWidth: ThumbnailWidth);
            await File.WriteAllBytesAsync(Path.Combine(target, $"{i}.jpg"), jpeg, cancellationToken).ConfigureAwait(false);
        }
        return (plan, frames.TimestampsSeconds);
    }

    private async Task<long> CopyWithLimitAsync(Stream content, string path, CancellationToken cancellationToken)
    {
        long total = 0;
        byte[] buffer = new byte[CopyBufferBytes];
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferBytes, useAsync: true);
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > limits.MaxBytes)
            {
                throw new ClipRejectedException(StatusCodes.Status413PayloadTooLarge,
                    $"The file is larger than the {FormatBytes(limits.MaxBytes)} upload limit.");
            }
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
        return total;
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

    /// <summary>A safe on-disk name derived from the label (ASCII letters, digits, '-', '_', '.'), so ffmpeg messages name the visitor's file.</summary>
    private static string StoredName(string label)
    {
        Span<char> buffer = stackalloc char[Math.Min(label.Length, 80)];
        for (int i = 0; i < buffer.Length; i++)
        {
            char c = label[i];
            buffer[i] = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_';
        }
        string name = new string(buffer).TrimStart('.');
        return name.Length == 0 || name is MetadataFile or FramesFolder || name.StartsWith("preview", StringComparison.Ordinal)
            ? "upload" + Path.GetExtension(name)
            : name;
    }

    private static ClipInfo ToInfo(StoredClip clip)
    {
        var frames = new FrameThumbnail[clip.FrameTimestamps.Length];
        for (int i = 0; i < frames.Length; i++)
        {
            frames[i] = new FrameThumbnail(clip.Plan.Indices[i], clip.FrameTimestamps[i], $"{RoutePrefix}/{clip.Id}/frames/{i}?v={clip.FramesVersion}");
        }
        return new ClipInfo(clip.Id, clip.Label, clip.Probe, clip.Plan, frames, $"{RoutePrefix}/{clip.Id}/preview");
    }

    private async Task WriteMetadataAsync(StoredClip clip, CancellationToken cancellationToken)
    {
        string path = Path.Combine(clip.Folder, MetadataFile);
        await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(clip, Json), cancellationToken).ConfigureAwait(false);
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

    internal static bool IsValidId(string? id) => id is { Length: 24 } && id.All(char.IsAsciiHexDigitLower);

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private static string FormatBytes(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024.0 * 1024):0.#} MB"
        : $"{bytes / 1024.0:0.#} KB";
}

/// <summary>The clip id is unknown or the clip has expired.</summary>
public sealed class ClipNotFoundException(string clipId)
    : UserInputException($"No clip with id \"{clipId}\" exists (clips are deleted after they expire); please upload it again.");
