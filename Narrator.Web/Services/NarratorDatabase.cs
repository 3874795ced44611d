using Microsoft.Data.Sqlite;

namespace Narrator.Web.Services;

/// <summary>The SQLite file in the data folder holding the narration history and custom templates; creates its tables once.</summary>
public sealed class NarratorDatabase
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS narrations (
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
            finished_at INTEGER NOT NULL,
            queue_ms REAL,
            duration_seconds REAL,
            segmentation TEXT,
            segments TEXT
        );
        CREATE INDEX IF NOT EXISTS narrations_by_finish ON narrations (finished_at DESC);
        CREATE TABLE IF NOT EXISTS custom_templates (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS custom_templates_by_owner ON custom_templates (owner, updated_at DESC);
        """;

    private readonly string connectionString;

    public NarratorDatabase(DataFolder folder)
    {
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
    }

    /// <summary>Columns added after the first release; a history file from before gets them (empty) instead of failing.</summary>
    private static readonly (string Table, string Column, string Type)[] LaterColumns =
    [
        ("narrations", "duration_seconds", "REAL"),
        ("narrations", "segmentation", "TEXT"),
        ("narrations", "segments", "TEXT"),
    ];

    private static void AddMissingColumns(SqliteConnection connection)
    {
        foreach (var (table, column, type) in LaterColumns)
        {
            using var probe = connection.CreateCommand();
            probe.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = $column";
            probe.Parameters.AddWithValue("$column", column);
            if (Convert.ToInt64(probe.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                using var alter = connection.CreateCommand();
                alter.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {type}";
                alter.ExecuteNonQuery();
            }
        }
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
