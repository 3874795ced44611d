using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.History;

/// <summary>
/// Narrations in SQLite, from the moment they are accepted: clip label, template, prompt, options, text (partial while
/// running), stats, times and the visitor who owns them. A row that a previous run of the server left queued or running
/// is read as "interrupted" with the text it had reached.
/// </summary>
public sealed class NarrationHistory(NarratorDatabase database, TimeProvider time)
{
    public const string InterruptedWhileRunning =
        "The server stopped while this narration was being written; the text it had written by then is kept.";

    public const string InterruptedWhileQueued = "The server stopped before this narration started; please start it again.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Narration states as stored; rows still "queued" or "running" from another process are read as interrupted.
    private const string EffectiveState =
        "(CASE WHEN state IN ('queued', 'running') AND instance IS NOT $instance THEN 'interrupted' ELSE state END)";

    private const string FinishedOrder = "COALESCE(finished_at, updated_at, created_at)";

    private const string Columns =
        "id, clip_id, clip_label, template, prompt, frame_options, generation_options, state, text, stats, error, error_code, created_at, started_at, finished_at, queue_ms, "
        + "duration_seconds, segmentation, segments, updated_at, instance";

    /// <summary>This process in the history: rows written by another one and left queued or running were interrupted.</summary>
    public string Instance { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>Stores (inserts or replaces) a narration as it stands now, for <paramref name="owner"/>.</summary>
    public async Task SaveAsync(NarrationRecord record, NarrationOwner owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using var connection = await database.OpenForWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT OR REPLACE INTO narrations
                (id, owner, clip_id, clip_label, template, prompt, frame_options, generation_options, state, text, stats,
                 error, error_code, created_at, started_at, finished_at, queue_ms, duration_seconds, segmentation, segments,
                 updated_at, instance)
            VALUES ($id, $owner, $clip, $label, $template, $prompt, $frames, $generation, $state, $text, $stats,
                 $error, $code, $created, $started, $finished, $queue, $duration, $segmentation, $segments, $updated, $instance)
            """;
        command.Parameters.AddWithValue("$id", record.Id);
        command.Parameters.AddWithValue("$owner", owner.Value);
        command.Parameters.AddWithValue("$clip", record.ClipId);
        command.Parameters.AddWithValue("$label", record.ClipLabel);
        command.Parameters.AddWithValue("$template", (object?)record.Template ?? DBNull.Value);
        command.Parameters.AddWithValue("$prompt", record.Prompt);
        command.Parameters.AddWithValue("$frames", JsonSerializer.Serialize(record.Frames, Json));
        command.Parameters.AddWithValue("$generation", JsonSerializer.Serialize(record.Generation, Json));
        command.Parameters.AddWithValue("$state", record.State);
        command.Parameters.AddWithValue("$text", record.Text);
        command.Parameters.AddWithValue("$stats", record.Stats is null ? DBNull.Value : JsonSerializer.Serialize(record.Stats, Json));
        command.Parameters.AddWithValue("$error", (object?)record.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("$code", (object?)record.ErrorCode ?? DBNull.Value);
        command.Parameters.AddWithValue("$created", record.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$started", record.StartedAt is { } s ? s.ToUnixTimeMilliseconds() : DBNull.Value);
        command.Parameters.AddWithValue("$finished", record.FinishedAt is { } f ? f.ToUnixTimeMilliseconds() : DBNull.Value);
        command.Parameters.AddWithValue("$queue", record.QueueSeconds is { } q ? q * 1000 : DBNull.Value);
        command.Parameters.AddWithValue("$duration", record.DurationSeconds is { } duration ? duration : DBNull.Value);
        command.Parameters.AddWithValue("$segmentation", (object?)record.Segmentation ?? DBNull.Value);
        command.Parameters.AddWithValue("$segments", record.Segments is { } segments ? JsonSerializer.Serialize(segments, Json) : DBNull.Value);
        command.Parameters.AddWithValue("$updated", time.GetUtcNow().ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$instance", Instance);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<NarrationRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM narrations WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    /// <summary>Who a stored narration belongs to, or null when the id is unknown.</summary>
    public async Task<NarrationOwner?> OwnerOfAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner FROM narrations WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string owner ? new NarrationOwner(owner) : null;
    }

    /// <summary>Narrations that have ended (completed, failed or interrupted), newest first; only the query's owner's when it names one.</summary>
    public async Task<IReadOnlyList<NarrationRecord>> ListAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var where = new List<string> { $"{EffectiveState} NOT IN ('queued', 'running')" };
        command.Parameters.AddWithValue("$instance", Instance);
        if (query.Before is { } before)
        {
            where.Add($"{FinishedOrder} < $before");
            command.Parameters.AddWithValue("$before", before.ToUnixTimeMilliseconds());
        }
        if (!string.IsNullOrEmpty(query.ClipId))
        {
            where.Add("clip_id = $clip");
            command.Parameters.AddWithValue("$clip", query.ClipId);
        }
        if (!string.IsNullOrEmpty(query.Template))
        {
            where.Add("template = $template");
            command.Parameters.AddWithValue("$template", query.Template);
        }
        if (!string.IsNullOrEmpty(query.State))
        {
            where.Add($"{EffectiveState} = $state");
            command.Parameters.AddWithValue("$state", query.State);
        }
        if (query.Owner is { } owner)
        {
            where.Add("owner = $owner");
            command.Parameters.AddWithValue("$owner", owner.Value);
        }
        command.CommandText = $"SELECT {Columns} FROM narrations WHERE {string.Join(" AND ", where)} ORDER BY {FinishedOrder} DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, HistoryQuery.MaxLimit));
        var records = new List<NarrationRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(Read(reader));
        }
        return records;
    }

    /// <summary>
    /// Marks every narration another run of the server left queued or running as interrupted (its text so far is kept),
    /// so lists, filters and exports see them as ended. Returns how many there were.
    /// </summary>
    public async Task<int> MarkInterruptedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE narrations
            SET error = CASE WHEN state = 'running' THEN $running ELSE $queued END,
                state = 'interrupted', error_code = $code, finished_at = COALESCE(updated_at, created_at)
            WHERE state IN ('queued', 'running') AND instance IS NOT $instance
            """;
        command.Parameters.AddWithValue("$running", InterruptedWhileRunning);
        command.Parameters.AddWithValue("$queued", InterruptedWhileQueued);
        command.Parameters.AddWithValue("$code", FailureCodes.Interrupted);
        command.Parameters.AddWithValue("$instance", Instance);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private NarrationRecord Read(SqliteDataReader reader)
    {
        string state = reader.GetString(7);
        long? updatedAt = reader.IsDBNull(19) ? null : reader.GetInt64(19);
        string? instance = reader.IsDBNull(20) ? null : reader.GetString(20);
        long? finishedAt = reader.IsDBNull(14) ? null : reader.GetInt64(14);
        bool interrupted = state is "queued" or "running" && instance != Instance;
        var record = new NarrationRecord
        {
            Id = reader.GetString(0),
            ClipId = reader.GetString(1),
            ClipLabel = reader.GetString(2),
            Template = reader.IsDBNull(3) ? null : reader.GetString(3),
            Prompt = reader.GetString(4),
            Frames = JsonSerializer.Deserialize<FrameOptions>(reader.GetString(5), Json) ?? new FrameOptions(),
            Generation = JsonSerializer.Deserialize<GenerationOptions>(reader.GetString(6), Json) ?? new GenerationOptions(),
            State = state,
            Text = reader.GetString(8),
            Stats = reader.IsDBNull(9) ? null : JsonSerializer.Deserialize<GenerationStats>(reader.GetString(9), Json),
            Error = reader.IsDBNull(10) ? null : reader.GetString(10),
            ErrorCode = reader.IsDBNull(11) ? null : reader.GetString(11),
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12)),
            StartedAt = reader.IsDBNull(13) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(13)),
            FinishedAt = finishedAt is { } finished ? DateTimeOffset.FromUnixTimeMilliseconds(finished) : null,
            QueueSeconds = reader.IsDBNull(15) ? null : reader.GetDouble(15) / 1000,
            DurationSeconds = reader.IsDBNull(16) ? null : reader.GetDouble(16),
            Segmentation = reader.IsDBNull(17) ? null : reader.GetString(17),
            Segments = reader.IsDBNull(18) ? null : JsonSerializer.Deserialize<NarrationSegment[]>(reader.GetString(18), Json),
        };
        return interrupted
            ? record with
            {
                State = "interrupted",
                ErrorCode = FailureCodes.Interrupted,
                Error = state == "running" ? InterruptedWhileRunning : InterruptedWhileQueued,
                FinishedAt = DateTimeOffset.FromUnixTimeMilliseconds(updatedAt ?? record.CreatedAt.ToUnixTimeMilliseconds()),
            }
            : record;
    }
}
