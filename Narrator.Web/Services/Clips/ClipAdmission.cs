using Microsoft.Extensions.Options;
using Narrator.Model;
using Narrator.Model.Media;

namespace Narrator.Web.Services.Clips;

/// <summary>
/// Whether an upload may be kept: its frame options, what its probe says (duration, picture size, frame count) against
/// <see cref="UploadOptions"/>, and whether its bytes fit the upload limit, the visitor's quota and the total one. Each
/// refusal is a <see cref="ClipRejectedException"/> with the HTTP status and a sentence; nothing here reads or writes files.
/// </summary>
public sealed class ClipAdmission
{
    private readonly UploadOptions limits;
    private readonly ILogger logger;

    public ClipAdmission(IOptions<UploadOptions> limits, DataFolder folder, ILogger<ClipAdmission> logger)
        : this(limits.Value, limits.Value.StorageQuotaBytes > 0 ? limits.Value.StorageQuotaBytes : HalfTheFreeSpace(folder.Clips), logger)
    {
    }

    /// <param name="totalQuota">Bytes all stored clips may take together.</param>
    internal ClipAdmission(UploadOptions limits, long totalQuota, ILogger logger)
    {
        this.limits = limits;
        TotalQuotaBytes = totalQuota;
        this.logger = logger;
    }

    /// <summary>Bytes all stored clips may take together (configured, or half the free disk space at start).</summary>
    public long TotalQuotaBytes { get; }

    /// <summary>Refuses (400) frame options the planner cannot use, before any byte is stored.</summary>
    public static void CheckFrameOptions(FrameOptions options)
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

    /// <summary>Refuses a probed upload that is too long (422), too large a picture (422), has too many frames (422) or no usable picture (415).</summary>
    public void CheckProbe(string label, MediaProbe probe)
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

    /// <summary>True when the bytes in use leave no room, so expired clips are worth deleting before answering.</summary>
    public bool IsFull(long ownerUsed, long totalUsed) => ownerUsed >= limits.OwnerQuotaBytes || totalUsed >= TotalQuotaBytes;

    /// <summary>The room left with these bytes in use; refuses at once (429 for the owner's quota, 507 for the total) when there is none.</summary>
    public UploadRoom Room(long ownerUsed, long totalUsed)
    {
        var room = new UploadRoom(limits.MaxBytes, limits.OwnerQuotaBytes - ownerUsed, TotalQuotaBytes - totalUsed);
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

    /// <summary>Refuses an upload once <paramref name="received"/> bytes pass the upload limit (413) or a quota (429, 507).</summary>
    public void CheckReceived(long received, UploadRoom room)
    {
        if (received > room.MaxBytes)
        {
            throw TooLarge();
        }
        CheckGrowth(received, room);
    }

    /// <summary>Refuses <paramref name="growth"/> more bytes for a clip that would pass the owner's quota (429) or the total one (507).</summary>
    public void CheckGrowth(long growth, UploadRoom room)
    {
        if (growth > room.Owner)
        {
            throw OwnerQuotaFull();
        }
        if (growth > room.Total)
        {
            throw TotalQuotaFull();
        }
    }

    /// <summary>The 413 refusal of a body larger than the upload limit.</summary>
    public ClipRejectedException TooLarge(Exception? inner = null) => new(StatusCodes.Status413PayloadTooLarge,
        $"The file is larger than the {FormatBytes(limits.MaxBytes)} upload limit.", inner);

    private ClipRejectedException OwnerQuotaFull() => new(StatusCodes.Status429TooManyRequests,
        $"Your stored clips already take the {FormatBytes(limits.OwnerQuotaBytes)} each visitor may keep; delete some " +
        $"(DELETE {ClipStore.RoutePrefix}/{{id}}) or wait until they expire ({limits.ClipLifetimeMinutes} minutes after their last use), then upload again.");

    private ClipRejectedException TotalQuotaFull()
    {
        logger.LogWarning("Clip storage is at its quota of {Quota} bytes; an upload was refused", TotalQuotaBytes);
        return new(StatusCodes.Status507InsufficientStorage,
            $"The server's clip storage is full ({FormatBytes(TotalQuotaBytes)}); please try again later, when older clips have expired.");
    }

    private static string FormatBytes(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024.0 * 1024):0.#} MB"
        : $"{bytes / 1024.0:0.#} KB";

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
}
