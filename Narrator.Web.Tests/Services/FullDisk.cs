using Microsoft.Data.Sqlite;
using Narrator.Web.Services;

namespace Narrator.Web.Tests.Services;

/// <summary>
/// The storage fault seam for tests: counts database writes and, while <see cref="Full"/> is set, refuses them with the
/// error SQLite gives when the disk is full (SQLITE_FULL, 13).
/// </summary>
public sealed class FullDisk : IStorageFaults
{
    private int writes;
    private volatile bool full;

    public bool Full
    {
        get => full;
        set => full = value;
    }

    /// <summary>Writes attempted so far, refused ones included.</summary>
    public int Writes => Volatile.Read(ref writes);

    public void BeforeWrite()
    {
        Interlocked.Increment(ref writes);
        if (full)
        {
            throw new SqliteException("SQLite Error 13: 'database or disk is full'.", 13);
        }
    }
}
