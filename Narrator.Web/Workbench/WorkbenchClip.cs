using Microsoft.AspNetCore.Components.Forms;
using Narrator.Model;
using Narrator.Model.Exports;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Web.Localization;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.Clips;

namespace Narrator.Web.Workbench;

/// <summary>
/// The clip on the page: the upload in progress (name, bytes so far, Cancel), the clip on show with the frames the model
/// will see, re-plans when the frame settings change, a long clip's segment plan, and the sentence when something was
/// refused. Every change is announced through <paramref name="changed"/> (re-render); a refusal loses nothing else.
/// </summary>
public sealed class WorkbenchClip(NarrationSession session, TimeProvider time, ILogger logger, Func<Task> changed, CancellationToken lifetime)
{
    /// <summary>Typing "32" plans once, not for "3" and then "32".</summary>
    public static readonly TimeSpan ReplanDelay = TimeSpan.FromMilliseconds(300);

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);

    private CancellationTokenSource? _uploadCancellation;
    private CancellationTokenSource? _replanCancellation;
    private SegmentationMode? _plannedMode;

    public ClipInfo? Info { get; private set; }

    /// <summary>The file being received, or null when no upload runs.</summary>
    public string? UploadName { get; private set; }

    public long UploadedBytes { get; private set; }

    public long UploadTotalBytes { get; private set; }

    public bool IsUploading => UploadName is not null;

    public bool IsReplanning { get; private set; }

    /// <summary>Why the last upload, re-plan or reopening failed, as a sentence for the visitor; null when nothing did.</summary>
    public string? Error { get; private set; }

    /// <summary>A long clip's segments (without text) under the split mode last planned; null for a short clip or none yet.</summary>
    public IReadOnlyList<NarrationSegment>? Segments { get; private set; }

    /// <summary>
    /// Receives <paramref name="file"/> (read once, progress reported as it goes) and shows it, planned with
    /// <paramref name="frames"/>. True when the new clip is on show; false when it was refused (<see cref="Error"/> says
    /// why), cancelled or broke off, and the clip before it stays.
    /// </summary>
    public async Task<bool> UploadAsync(IBrowserFile file, long maxBytes, FrameOptions frames, SegmentationMode mode, UiText text)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);
        _uploadCancellation?.Cancel();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        _uploadCancellation = cancellation;
        Error = null;
        UploadName = file.Name;
        UploadedBytes = 0;
        UploadTotalBytes = file.Size;
        var progressRender = new RenderPacer(changed, ProgressInterval, time);
        try
        {
            await using var stream = new ReadProgressStream(file.OpenReadStream(maxBytes, cancellation.Token), bytes =>
            {
                UploadedBytes = bytes;
                _ = progressRender.RequestAsync();
            });
            Show(await session.UploadAsync(stream, file.Name, frames, cancellation.Token), mode);
            return true;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The visitor cancelled or left.
        }
        catch (Exception ex) when (ex is UserInputException or ClipRejectedException)
        {
            Error = ex.Message;
        }
        catch (IOException ex)
        {
            logger.LogWarning(ex, "Upload of {FileName} broke off", file.Name);
            Error = text.UploadInterrupted;
        }
        finally
        {
            UploadName = null;
            _uploadCancellation = null;
        }
        return false;
    }

    public void CancelUpload() => _uploadCancellation?.Cancel();

    /// <summary>
    /// Shows one of the built-in examples (uploaded like a visitor's file, so it is theirs to narrate and re-plan). True
    /// when it is on show; false when it was refused (<see cref="Error"/> says why).
    /// </summary>
    public async Task<bool> LoadExampleAsync(string fileName, Func<Stream> open, FrameOptions frames, SegmentationMode mode)
    {
        ArgumentNullException.ThrowIfNull(open);
        Error = null;
        UploadName = fileName;
        UploadedBytes = UploadTotalBytes = 1;
        await changed();
        try
        {
            await using Stream stream = open();
            Show(await session.UploadAsync(stream, fileName, frames, lifetime), mode);
            return true;
        }
        catch (Exception ex) when (ex is UserInputException or ClipRejectedException)
        {
            Error = ex.Message;
            return false;
        }
        finally
        {
            UploadName = null;
        }
    }

    /// <summary>Puts <paramref name="clip"/> on show (any earlier sentence goes) and plans its segments in the background.</summary>
    public void Show(ClipInfo clip, SegmentationMode mode)
    {
        Info = clip;
        Error = null;
        _ = PlanSegmentsAsync(mode);
    }

    /// <summary>
    /// Shows one of the visitor's stored clips, unless it is already on show. When it has expired nothing is on show and
    /// <paramref name="goneError"/> (if any) says so.
    /// </summary>
    public void ShowStored(string clipId, SegmentationMode mode, string? goneError = null)
    {
        if (Info?.Id == clipId)
        {
            return;
        }
        Info = session.OwnClip(clipId);
        Segments = null;
        Error = Info is null ? goneError : null;
        if (Info is not null)
        {
            _ = PlanSegmentsAsync(mode);
        }
    }

    /// <summary>The clip and any sentence leave the page (the clip stays on the server until it expires).</summary>
    public void Clear()
    {
        Info = null;
        Segments = null;
        Error = null;
    }

    /// <summary>The store's newer record of a clip (its preview or exact frames got ready): true when it is the one on show.</summary>
    public bool Update(ClipInfo clip)
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (Info?.Id != clip.Id)
        {
            return false;
        }
        // The store's record is the latest (a re-plan meanwhile is in it too).
        Info = clip;
        return true;
    }

    /// <summary>A long clip's segments, shown on a timeline under its frames before anything is narrated.</summary>
    public async Task PlanSegmentsAsync(SegmentationMode mode)
    {
        _plannedMode = mode;
        Segments = null;
        if (Info is not { } clip)
        {
            return;
        }
        try
        {
            var planned = await session.PlanSegmentsAsync(clip.Id, mode, lifetime);
            // Another clip or split mode may have been chosen meanwhile; only the latest plan is shown.
            if (Info?.Id == clip.Id && _plannedMode == mode)
            {
                Segments = planned;
                await changed();
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
        catch (Exception ex)
        {
            // Only a preview: narrating splits the clip again and says what is wrong, so this is logged, not shown.
            logger.LogWarning(ex, "No segment plan for clip {ClipId}", clip.Id);
        }
    }

    /// <summary>Re-plans the clip on show with <paramref name="frames"/> after <see cref="ReplanDelay"/>; a newer call replaces a waiting one.</summary>
    public async Task ReplanAsync(FrameOptions frames, UiText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Info is null)
        {
            return;
        }
        _replanCancellation?.Cancel();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        _replanCancellation = cancellation;
        IsReplanning = true;
        try
        {
            await Task.Delay(ReplanDelay, time, cancellation.Token);
            if (Info is not { } clip)
            {
                // Cleared meanwhile: nothing left to plan.
                return;
            }
            ClipInfo replanned = await session.ReplanAsync(clip.Id, frames, cancellation.Token);
            if (!cancellation.IsCancellationRequested)
            {
                Info = replanned;
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is UserInputException or ClipNotFoundException or NotYoursException)
        {
            Error = ex is ClipNotFoundException ? text.ClipGone : ex.Message;
        }
        finally
        {
            if (ReferenceEquals(_replanCancellation, cancellation))
            {
                IsReplanning = false;
                _replanCancellation = null;
            }
        }
    }

    /// <summary>
    /// Puts one of the visitor's clips on show planned with <paramref name="frames"/> (re-running a stored narration). False
    /// when it has expired or is not theirs: <see cref="Error"/> says so and the clip before it stays.
    /// </summary>
    public async Task<bool> ReopenAsync(string clipId, FrameOptions frames, UiText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            Info = await session.ReplanAsync(clipId, frames, lifetime);
            return true;
        }
        catch (ClipNotFoundException)
        {
            Error = text.ClipGone;
        }
        catch (NotYoursException ex)
        {
            Error = ex.Message;
        }
        return false;
    }

    /// <summary>Opens a search hit's clip planned as it was narrated; false (and nothing said: the narration is still there to read) when it has expired.</summary>
    public async Task<bool> ReopenQuietlyAsync(string clipId, FrameOptions frames)
    {
        if (Info?.Id == clipId)
        {
            return true;
        }
        try
        {
            Info = await session.ReplanAsync(clipId, frames, lifetime);
            return true;
        }
        catch (ClipNotFoundException)
        {
            return false;
        }
    }
}
