using Microsoft.Extensions.Options;
using Narrator.Model.Media;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Clips;

/// <summary>
/// Uploaded clips, as the API, the page and the queue see them: one façade over <see cref="ClipReceiver"/> (an upload
/// streamed to disk, probed and admitted by <see cref="ClipAdmission"/>), <see cref="DerivedMedia"/> (thumbnails on
/// re-plan, exact frames and the browser preview in the background, then the split of a long clip) and
/// <see cref="ClipStorage"/> (folders, records, expiry, quotas in use). Anything refused leaves no file behind; clips are
/// deleted when they expire.
/// </summary>
public sealed class ClipStore
{
    private readonly ClipStorage storage;
    private readonly ClipReceiver receiver;
    private readonly ClipAdmission admission;
    private readonly DerivedMedia media;
    private readonly UploadOptions limits;
    private readonly TimeProvider time;

    public ClipStore(ClipStorage storage, ClipReceiver receiver, ClipAdmission admission, DerivedMedia media, IOptions<UploadOptions> limits, TimeProvider time)
    {
        this.storage = storage;
        this.receiver = receiver;
        this.admission = admission;
        this.media = media;
        this.limits = limits.Value;
        this.time = time;
        storage.Updated += clip => ClipUpdated?.Invoke(ToInfo(clip));
        foreach (var clip in storage.Reload())
        {
            // Work cut off by the restart is picked up again.
            if (clip.PreviewState == PreviewState.Making || media.NeedsExactFrames(clip))
            {
                media.StartBackgroundWork(clip);
            }
        }
    }

    /// <summary>Base path of the HTTP routes that serve frames and previews.</summary>
    public const string RoutePrefix = "/api/clips";

    /// <summary>Raised when a clip changes after its upload was answered (its preview or exact frames are ready).</summary>
    public event Action<ClipInfo>? ClipUpdated;

    /// <summary>Bytes all stored clips may take together (configured, or half the free disk space at start).</summary>
    public long TotalQuotaBytes => admission.TotalQuotaBytes;

    public int Count => storage.Count;

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
        var clip = await receiver.ReceiveAsync(content, label, owner, frameOptions ?? new FrameOptions(), cancellationToken).ConfigureAwait(false);
        media.StartBackgroundWork(clip);
        return ToInfo(clip);
    }

    /// <inheritdoc cref="ClipReceiver.WriteClipFileAsync"/>
    public Task WriteClipFileAsync(StoredClip clip, string relativePath, byte[] bytes, CancellationToken cancellationToken) =>
        receiver.WriteClipFileAsync(clip, relativePath, bytes, cancellationToken);

    /// <summary>Re-plans a clip's frames for other options (e.g. a template's), replacing its thumbnails.</summary>
    public async Task<ClipInfo> ReplanAsync(string clipId, FrameOptions options, CancellationToken cancellationToken)
    {
        var clip = Find(clipId) ?? throw new ClipNotFoundException(clipId);
        ClipAdmission.CheckFrameOptions(options);
        if (clip.FrameOptions == options)
        {
            return ToInfo(clip);
        }
        return ToInfo(await media.ReplanAsync(clipId, options, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The clip, or null when the id is unknown or expired.</summary>
    public StoredClip? Find(string clipId) => storage.Find(clipId);

    public ClipInfo? Get(string clipId) => Find(clipId) is { } clip ? ToInfo(clip) : null;

    /// <summary>Keeps a clip alive for another lifetime (a narration of it was just queued).</summary>
    public void Touch(string clipId)
    {
        if (Find(clipId) is not null)
        {
            storage.SetExpiry(clipId, time.GetUtcNow() + limits.ClipLifetime);
        }
    }

    /// <summary>Makes a clip due for deletion at the next sweep (e.g. an admin removing it, or a test).</summary>
    internal void Expire(string clipId) => storage.SetExpiry(clipId, time.GetUtcNow());

    /// <summary>Path of thumbnail <paramref name="frameNumber"/> (0-based, in plan order), or null.</summary>
    public string? FramePath(string clipId, int frameNumber) => Find(clipId) is { } clip ? ClipThumbnails.FramePath(clip, frameNumber) : null;

    /// <summary>The file a browser plays for this clip and its content type, or null (see <see cref="StoredClip.PreviewState"/>).</summary>
    public (string Path, string ContentType)? Preview(string clipId) =>
        Find(clipId) is { PreviewState: PreviewState.Ready } clip && File.Exists(clip.PreviewPath) ? (clip.PreviewPath, clip.PreviewContentType) : null;

    public bool Delete(string clipId) => storage.Remove(clipId);

    /// <summary>Deletes expired clips (oldest first) and any folder the store does not know (left by a crash); returns how many clips went.</summary>
    public int DeleteExpired() => storage.DeleteExpired();

    /// <summary>Bytes the clips of <paramref name="owner"/> (or everybody's, when null) take on disk, uploads still arriving included.</summary>
    public long StoredBytes(NarrationOwner? owner = null) => storage.StoredBytes(owner);

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
}
