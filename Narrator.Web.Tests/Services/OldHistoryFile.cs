using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Narrator.Web.Services;

namespace Narrator.Web.Tests.Services;

/// <summary>A history database as an earlier release left it: the tests write its tables and rows, then open it with today's code.</summary>
internal static class OldHistoryFile
{
    /// <summary>The data folder at <paramref name="dataPath"/> with its database created by <paramref name="sql"/> alone.</summary>
    public static async Task<DataFolder> WriteAsync(string dataPath, string sql)
    {
        var folder = new DataFolder(Options.Create(new NarratorOptions { DataPath = dataPath }), new HostingEnvironment { ContentRootPath = dataPath });
        Directory.CreateDirectory(Path.GetDirectoryName(folder.Database)!);
        await using (var old = new SqliteConnection($"Data Source={folder.Database}"))
        {
            await old.OpenAsync();
            await using var create = old.CreateCommand();
            create.CommandText = sql;
            await create.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();
        return folder;
    }
}
