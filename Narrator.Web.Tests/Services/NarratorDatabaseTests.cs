using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Narrator.Web.Services;
using Narrator.Web.Services.History;

namespace Narrator.Web.Tests.Services;

/// <summary>The history file survives upgrades: a database written before long videos were kept gets the new columns.</summary>
public sealed class NarratorDatabaseTests : IDisposable
{
    private readonly string dataPath = Path.Combine(Path.GetTempPath(), "narrator-db-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dataPath, recursive: true);
    }

    [Fact]
    public async Task A_history_file_from_before_segments_were_stored_is_upgraded_and_its_rows_still_read()
    {
        var folder = new DataFolder(Options.Create(new NarratorOptions { DataPath = dataPath }), new HostingEnvironment { ContentRootPath = dataPath });
        Directory.CreateDirectory(Path.GetDirectoryName(folder.Database)!);
        await using (var old = new SqliteConnection($"Data Source={folder.Database}"))
        {
            await old.OpenAsync();
            await using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE narrations (
                    id TEXT PRIMARY KEY, owner TEXT NOT NULL, clip_id TEXT NOT NULL, clip_label TEXT NOT NULL, template TEXT,
                    prompt TEXT NOT NULL, frame_options TEXT NOT NULL, generation_options TEXT NOT NULL, state TEXT NOT NULL,
                    text TEXT NOT NULL, stats TEXT, error TEXT, error_code TEXT, created_at INTEGER NOT NULL, started_at INTEGER,
                    finished_at INTEGER NOT NULL, queue_ms REAL);
                INSERT INTO narrations VALUES ('old1', 'owner', 'clip', 'street.mp4', 'tags', 'List tags.', '{}', '{}', 'completed',
                    'night, city', NULL, NULL, NULL, 1000, 1100, 2000, 100.0);
                """;
            await create.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();

        var history = new NarrationHistory(new NarratorDatabase(folder), TimeProvider.System);
        var record = await history.GetAsync("old1", CancellationToken.None);

        Assert.NotNull(record);
        Assert.Equal("night, city", record.Text);
        Assert.Null(record.Segments);
        Assert.Null(record.Segmentation);
        Assert.Null(record.DurationSeconds);
        // Opening it again finds the columns already there.
        Assert.NotNull(await new NarrationHistory(new NarratorDatabase(folder), TimeProvider.System).GetAsync("old1", CancellationToken.None));
    }
}
