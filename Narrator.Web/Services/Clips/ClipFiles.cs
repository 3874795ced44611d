namespace Narrator.Web.Services.Clips;

/// <summary>
/// How the clip store writes its files (uploads, thumbnails, metadata). One seam, so a test can stand in a disk that
/// fills up; the real one writes to the data folder.
/// </summary>
public class ClipFiles
{
    /// <summary>ENOSPC: what a write fails with on a full Linux/macOS disk (.NET puts errno in HResult).</summary>
    public const int DiskFullErrno = 28;

    private const int QuotaExceededErrno = 122; // EDQUOT
    private const int WindowsDiskFull = unchecked((int)0x80070070); // ERROR_DISK_FULL
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027); // ERROR_HANDLE_DISK_FULL

    /// <summary>A new file to stream an upload into.</summary>
    public virtual Stream Create(string path) =>
        new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);

    public virtual Task WriteAllBytesAsync(string path, byte[] bytes, CancellationToken cancellationToken) =>
        File.WriteAllBytesAsync(path, bytes, cancellationToken);

    public virtual Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(path, text, cancellationToken);

    /// <summary>True when <paramref name="exception"/> says the disk (or the user's disk quota) is full.</summary>
    public static bool IsDiskFull(Exception exception) =>
        exception is IOException { HResult: DiskFullErrno or QuotaExceededErrno or WindowsDiskFull or WindowsHandleDiskFull };
}
