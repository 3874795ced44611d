using Microsoft.Data.Sqlite;

namespace Narrator.Web.Services;

/// <summary>Recognises "the disk (or the quota) is full" in what SQLite and the file system throw.</summary>
public static class StorageFull
{
    private const int SqliteFullCode = 13;
    private const int LinuxNoSpace = 28;
    private const int LinuxQuotaExceeded = 122;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    public static bool Is(Exception? exception) => exception switch
    {
        null => false,
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteFullCode,
        IOException io when io.HResult is LinuxNoSpace or LinuxQuotaExceeded or WindowsDiskFull or WindowsHandleDiskFull => true,
        _ => Is(exception.InnerException),
    };
}

/// <summary>Something could not be stored because the server's disk is full; the message is the sentence for the person.</summary>
public sealed class StorageFullException(string message, Exception inner) : Exception(message, inner);
