using Microsoft.Data.Sqlite;

namespace Narrator.Web.Services;

/// <summary>
/// The SQLite file in the data folder holding the narration history, custom templates, each visitor's workspace and the
/// published share links; creates its tables once and
/// upgrades a file written by an earlier version in place.
/// </summary>
public sealed class NarratorDatabase
{
    // The narrations table as this version writes it; finished_at is empty while a narration is queued or running.
    private const string NarrationColumns = """
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            clip_id TEXT NOT NULL,
            clip_label TEXT NOT NULL,
            template TEXT,
            prompt TEXT NOT NULL,
            frame_options TEXT NOT NULL,
            generation_options TEXT NOT NULL,
            state TEXT NOT NULL,
            text TEXT NOT NULL,
            stats TEXT,
            error TEXT,
            error_code TEXT,
            created_at INTEGER NOT NULL,
            started_at INTEGER,
            finished_at INTEGER,
            queue_ms REAL,
            duration_seconds REAL,
            segmentation TEXT,
            segments TEXT,
            updated_at INTEGER,
            instance TEXT,
            subtitles TEXT
        """;

    private const string ColumnNames =
        "id, owner, clip_id, clip_label, template, prompt, frame_options, generation_options, state, text, stats, error, error_code, "
        + "created_at, started_at, finished_at, queue_ms, duration_seconds, segmentation, segments, updated_at, instance, subtitles";

    private const string Schema = $"""
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS narrations ({NarrationColumns});
        CREATE TABLE IF NOT EXISTS custom_templates (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS custom_templates_by_owner ON custom_templates (owner, updated_at DESC);
        CREATE TABLE IF NOT EXISTS workspaces (
            owner TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS shares (
            token TEXT PRIMARY KEY,
            narration_id TEXT NOT NULL UNIQUE,
            owner TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS narration_translations (
            narration_id TEXT NOT NULL,
            language TEXT NOT NULL,
            owner TEXT NOT NULL,
            state TEXT NOT NULL,
            text TEXT NOT NULL,
            segments TEXT,
            error TEXT,
            stats TEXT,
            finished_at INTEGER NOT NULL,
            updated_at INTEGER,
            instance TEXT,
            PRIMARY KEY (narration_id, language)
        );
        CREATE TABLE IF NOT EXISTS search_documents (
            id INTEGER PRIMARY KEY,
            narration_id TEXT NOT NULL,
            owner TEXT NOT NULL,
            kind TEXT NOT NULL,
            language TEXT,
            segment_index INTEGER,
            start_seconds REAL,
            end_seconds REAL,
            video TEXT NOT NULL,
            text TEXT NOT NULL,
            finished_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS search_documents_by_owner ON search_documents (owner, finished_at DESC);
        CREATE INDEX IF NOT EXISTS search_documents_by_narration ON search_documents (narration_id, language);
        CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(text, content='search_documents', content_rowid='id', tokenize='trigram');
        CREATE TRIGGER IF NOT EXISTS search_documents_added AFTER INSERT ON search_documents BEGIN
            INSERT INTO search_index (rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER IF NOT EXISTS search_documents_removed AFTER DELETE ON search_documents BEGIN
            INSERT INTO search_index (search_index, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        """;

    /// <summary>PRAGMA user_version once the search index holds every narration stored before it existed.</summary>
    private const int SearchIndexVersion = 1;

    private const string Indexes = """
        CREATE INDEX IF NOT EXISTS narrations_by_finish ON narrations (finished_at DESC);
        CREATE INDEX IF NOT EXISTS narrations_by_owner ON narrations (owner, finished_at DESC);
        """;

    private readonly string connectionString;
    private readonly IStorageFaults? faults;

    public NarratorDatabase(DataFolder folder, IStorageFaults? faults = null, ILogger<NarratorDatabase>? logger = null)
    {
        this.faults = faults;
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = folder.Database,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = Schema;
        command.ExecuteNonQuery();
        AddMissingColumns(connection);
        AllowUnfinishedRows(connection);
        using var indexes = connection.CreateCommand();
        indexes.CommandText = Indexes;
        indexes.ExecuteNonQuery();
        IndexEarlierNarrations(connection, logger);
    }

    /// <summary>Columns added after the first release; a history file from before gets them (empty) instead of failing.</summary>
    private static readonly (string Table, string Column, string Type)[] LaterColumns =
    [
        ("narrations", "duration_seconds", "REAL"),
        ("narrations", "segmentation", "TEXT"),
        ("narrations", "segments", "TEXT"),
        ("narrations", "subtitles", "TEXT"),
        ("narrations", "updated_at", "INTEGER"),
        ("narrations", "instance", "TEXT"),
        ("narration_translations", "updated_at", "INTEGER"),
        ("narration_translations", "instance", "TEXT"),
    ];

    private static void AddMissingColumns(SqliteConnection connection)
    {
        foreach (var (table, column, type) in LaterColumns)
        {
            if (ColumnInfo(connection, table, column, "COUNT(*)") == 0)
            {
                using var alter = connection.CreateCommand();
                alter.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {type}";
                alter.ExecuteNonQuery();
            }
        }
    }

    /// <summary>
    /// A history written before search existed gets its narrations indexed once, in one transaction, so a visitor's older
    /// narrations are found too; PRAGMA user_version records that it was done.
    /// </summary>
    private static void IndexEarlierNarrations(SqliteConnection connection, ILogger? logger)
    {
        using (var version = connection.CreateCommand())
        {
            version.CommandText = "PRAGMA user_version";
            if (Convert.ToInt64(version.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) >= SearchIndexVersion)
            {
                return;
            }
        }
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int count = 0;
        using var transaction = connection.BeginTransaction();
        using (var clear = connection.CreateCommand())
        {
            clear.Transaction = transaction;
            clear.CommandText = "DELETE FROM search_documents";
            clear.ExecuteNonQuery();
        }
        var rows = new List<(string Id, string Owner, string Video, string Text, string? Segments, long FinishedAt)>();
        using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            // Live rows are indexed when they end (or when a restart marks them interrupted).
            read.CommandText = "SELECT id, owner, clip_label, text, segments, COALESCE(finished_at, updated_at, created_at) FROM narrations "
                + "WHERE state NOT IN ('queued', 'running')";
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5)));
            }
        }
        foreach (var row in rows)
        {
            var segments = row.Segments is null ? null : System.Text.Json.JsonSerializer.Deserialize<Narrator.Model.Exports.NarrationSegment[]>(row.Segments,
                new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
            Search.SearchRows.Insert(connection, transaction, row.Owner, row.FinishedAt, Search.SearchRows.ForNarration(row.Id, row.Video, row.Text, segments));
            count++;
        }
        using (var version = connection.CreateCommand())
        {
            version.Transaction = transaction;
            version.CommandText = $"PRAGMA user_version = {SearchIndexVersion}";
            version.ExecuteNonQuery();
        }
        transaction.Commit();
        if (count > 0)
        {
            logger?.LogInformation("Indexed {Count} earlier narration(s) for search in {Milliseconds} ms", count, watch.ElapsedMilliseconds);
        }
    }

    /// <summary>
    /// Files from before narrations were recorded when accepted required finished_at; SQLite cannot drop a NOT NULL, so the
    /// table is copied into the current shape in one transaction. Old rows keep their owner key (a circuit, connection or
    /// address from before visitors existed), which no visitor has: only the admin lists them.
    /// </summary>
    private static void AllowUnfinishedRows(SqliteConnection connection)
    {
        if (ColumnInfo(connection, "narrations", "finished_at", "MAX(\"notnull\")") != 1)
        {
            return;
        }
        using var transaction = connection.BeginTransaction();
        using var copy = connection.CreateCommand();
        copy.Transaction = transaction;
        copy.CommandText = $"""
            CREATE TABLE narrations_upgrade ({NarrationColumns});
            INSERT INTO narrations_upgrade ({ColumnNames}) SELECT {ColumnNames} FROM narrations;
            DROP TABLE narrations;
            ALTER TABLE narrations_upgrade RENAME TO narrations;
            """;
        copy.ExecuteNonQuery();
        transaction.Commit();
    }

    private static long ColumnInfo(SqliteConnection connection, string table, string column, string aggregate)
    {
        using var probe = connection.CreateCommand();
        probe.CommandText = $"SELECT {aggregate} FROM pragma_table_info('{table}') WHERE name = $column";
        probe.Parameters.AddWithValue("$column", column);
        return probe.ExecuteScalar() is long value ? value : 0;
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>A connection for a write; the fault seam (tests) may refuse it the way a full disk does.</summary>
    public Task<SqliteConnection> OpenForWriteAsync(CancellationToken cancellationToken)
    {
        faults?.BeforeWrite();
        return OpenAsync(cancellationToken);
    }
}

/// <summary>
/// A seam for tests: called before every database write, it may throw what the storage would throw when full
/// (a <see cref="SqliteException"/> with SQLITE_FULL). Nothing implements it in production.
/// </summary>
public interface IStorageFaults
{
    void BeforeWrite();
}
