using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.History;

namespace Narrator.Web.Tests.Services;

/// <summary>
/// The history file survives upgrades: a database written before long videos were kept gets the new columns, and one
/// written before narrations were recorded when accepted (finished_at required) is copied into the new shape in place.
/// </summary>
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
        var folder = await OldHistoryFile.WriteAsync(dataPath, """
                CREATE TABLE narrations (
                    id TEXT PRIMARY KEY, owner TEXT NOT NULL, clip_id TEXT NOT NULL, clip_label TEXT NOT NULL, template TEXT,
                    prompt TEXT NOT NULL, frame_options TEXT NOT NULL, generation_options TEXT NOT NULL, state TEXT NOT NULL,
                    text TEXT NOT NULL, stats TEXT, error TEXT, error_code TEXT, created_at INTEGER NOT NULL, started_at INTEGER,
                    finished_at INTEGER NOT NULL, queue_ms REAL);
                INSERT INTO narrations VALUES ('old1', 'owner', 'clip', 'street.mp4', 'tags', 'List tags.', '{}', '{}', 'completed',
                    'night, city', NULL, NULL, NULL, 1000, 1100, 2000, 100.0);
                """);

        var history = new NarrationHistory(new NarratorDatabase(folder), TimeProvider.System);
        var record = await history.GetAsync("old1", CancellationToken.None);

        Assert.NotNull(record);
        Assert.Equal(NarrationState.Completed, record.State);
        Assert.Equal("night, city", record.Text);
        Assert.Null(record.Segments);
        Assert.Null(record.Segmentation);
        Assert.Null(record.DurationSeconds);
        // Opening it again finds the columns already there.
        Assert.NotNull(await new NarrationHistory(new NarratorDatabase(folder), TimeProvider.System).GetAsync("old1", CancellationToken.None));
    }

    [Fact]
    public async Task The_state_column_holds_each_state_by_its_wire_name_and_a_row_with_a_name_it_does_not_know_reads_as_failed_saying_so()
    {
        var folder = new DataFolder(Options.Create(new NarratorOptions { DataPath = dataPath }), new HostingEnvironment { ContentRootPath = dataPath });
        var database = new NarratorDatabase(folder);
        var history = new NarrationHistory(database, TimeProvider.System);
        var visitor = Narrator.Web.Services.Queue.NarrationOwner.ForVisitor("0123456789abcdef0123456789abcdef");
        await history.SaveAsync(NarrationHistoryTests.Live("done", NarrationState.Completed, "all"), visitor, CancellationToken.None);
        await history.SaveAsync(NarrationHistoryTests.Live("other", NarrationState.Completed, "more") with { FinishedAt = DateTimeOffset.UtcNow }, visitor,
            CancellationToken.None);

        await using (var connection = await database.OpenForWriteAsync(CancellationToken.None))
        {
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT state FROM narrations WHERE id = 'done'";
            Assert.Equal("completed", await read.ExecuteScalarAsync());
            await using var damage = connection.CreateCommand();
            damage.CommandText = "UPDATE narrations SET state = 'done' WHERE id = 'done'";
            await damage.ExecuteNonQueryAsync();
        }
        var damaged = await history.GetAsync("done", CancellationToken.None);
        var listed = await history.ListAsync(new HistoryQuery { Owner = visitor }, CancellationToken.None);

        Assert.Equal((NarrationState.Failed, FailureCodes.Failed, "all"), (damaged!.State, damaged.ErrorCode, damaged.Text));
        Assert.Contains("\"done\"", damaged.Error, StringComparison.Ordinal);
        Assert.Equal(["done", "other"], listed.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task A_history_file_from_before_visitors_takes_unfinished_rows_and_lists_its_old_rows_only_to_the_admin()
    {
        var folder = await OldHistoryFile.WriteAsync(dataPath, """
                CREATE TABLE narrations (
                    id TEXT PRIMARY KEY, owner TEXT NOT NULL, clip_id TEXT NOT NULL, clip_label TEXT NOT NULL, template TEXT,
                    prompt TEXT NOT NULL, frame_options TEXT NOT NULL, generation_options TEXT NOT NULL, state TEXT NOT NULL,
                    text TEXT NOT NULL, stats TEXT, error TEXT, error_code TEXT, created_at INTEGER NOT NULL, started_at INTEGER,
                    finished_at INTEGER NOT NULL, queue_ms REAL, duration_seconds REAL, segmentation TEXT, segments TEXT);
                CREATE INDEX narrations_by_finish ON narrations (finished_at DESC);
                INSERT INTO narrations VALUES ('old1', 'address:203.0.113.7', 'clip', 'street.mp4', 'tags', 'List tags.', '{}', '{}',
                    'completed', 'night, city', NULL, NULL, NULL, 1000, 1100, 2000, 100.0, 12.5, NULL, NULL);
                """);

        var history = new NarrationHistory(new NarratorDatabase(folder), TimeProvider.System);
        var visitor = Narrator.Web.Services.Queue.NarrationOwner.ForVisitor("0123456789abcdef0123456789abcdef");
        await history.SaveAsync(NarrationHistoryTests.Live("new1", NarrationState.Queued, ""), visitor, CancellationToken.None);

        var forVisitor = await history.ListAsync(new HistoryQuery { Owner = visitor }, CancellationToken.None);
        var forAdmin = await history.ListAsync(new HistoryQuery(), CancellationToken.None);
        var old1 = await history.GetAsync("old1", CancellationToken.None);
        var new1 = await history.GetAsync("new1", CancellationToken.None);

        Assert.Empty(forVisitor);
        Assert.Equal(["old1"], forAdmin.Select(r => r.Id));
        Assert.Equal("night, city", old1!.Text);
        Assert.Equal(12.5, old1.DurationSeconds);
        Assert.Equal(NarrationState.Queued, new1!.State);
        Assert.Null(new1.FinishedAt);
        // Opening it again finds it already upgraded.
        Assert.NotNull(await new NarrationHistory(new NarratorDatabase(folder), TimeProvider.System).GetAsync("old1", CancellationToken.None));
    }
}
