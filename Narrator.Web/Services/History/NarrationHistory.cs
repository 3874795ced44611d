using System.Text.Json;
using Microsoft.Data.Sqlite;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.History;

/// <summary>Finished narrations in SQLite: clip label, template, prompt, options, text, stats and times; listed newest first.</summary>
public sealed class NarrationHistory(NarratorDatabase database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Stores a finished narration (its final event decides completed or failed).</summary>
    public async Task SaveAsync(NarrationJob job, NarrationEvent final, CancellationToken cancellationToken)
    {
        var stats = (final as CompletedEvent)?.Stats ?? job.Stats;
        var failure = final as FailedEvent;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT OR REPLACE INTO narrations
                (id, owner, clip_id, clip_label, template, prompt, frame_options, generation_options, state, text, stats,
                 error, error_code, created_at, started_at, finished_at, queue_ms, duration_seconds, segmentation, segments)
            VALUES ($id, $owner, $clip, $label, $template, $prompt, $frames, $generation, $state, $text, $stats,
                 $error, $code, $created, $started, $finished, $queue, $duration, $segmentation, $segments)
            """;
        command.Parameters.AddWithValue("$id", job.Id);
        command.Parameters.AddWithValue("$owner", job.Owner.Value);
        command.Parameters.AddWithValue("$clip", job.Work.ClipId);
        command.Parameters.AddWithValue("$label", job.Work.ClipLabel);
        command.Parameters.AddWithValue("$template", (object?)job.Work.TemplateId ?? DBNull.Value);
        command.Parameters.AddWithValue("$prompt", job.Work.Prompt);
        command.Parameters.AddWithValue("$frames", JsonSerializer.Serialize(job.Work.Frames, Json));
        command.Parameters.AddWithValue("$generation", JsonSerializer.Serialize(job.Work.Generation, Json));
        command.Parameters.AddWithValue("$state", failure is null ? "completed" : "failed");
        command.Parameters.AddWithValue("$text", final is CompletedEvent completed ? completed.Text : job.Text);
        command.Parameters.AddWithValue("$stats", stats is null ? DBNull.Value : JsonSerializer.Serialize(stats, Json));
        command.Parameters.AddWithValue("$error", (object?)failure?.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("$code", (object?)failure?.Code ?? DBNull.Value);
        command.Parameters.AddWithValue("$created", job.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$started", job.StartedAt is { } s ? s.ToUnixTimeMilliseconds() : DBNull.Value);
        command.Parameters.AddWithValue("$finished", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$queue", job.TimeInQueue is { } q ? q.TotalMilliseconds : DBNull.Value);
        command.Parameters.AddWithValue("$duration", job.Work.Probe is { } probe ? probe.DurationSeconds : DBNull.Value);
        command.Parameters.AddWithValue("$segmentation", (object?)job.SegmentationMethod ?? DBNull.Value);
        command.Parameters.AddWithValue("$segments", job.Segments is { } segments ? JsonSerializer.Serialize(segments, Json) : DBNull.Value);
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

    public async Task<IReadOnlyList<NarrationRecord>> ListAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        if (query.Before is { } before)
        {
            where.Add("finished_at < $before");
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
            where.Add("state = $state");
            command.Parameters.AddWithValue("$state", query.State);
        }
        if (query.Owner is { } owner)
        {
            where.Add("owner = $owner");
            command.Parameters.AddWithValue("$owner", owner.Value);
        }
        command.CommandText = $"SELECT {Columns} FROM narrations"
            + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")
            + " ORDER BY finished_at DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, HistoryQuery.MaxLimit));
        var records = new List<NarrationRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(Read(reader));
        }
        return records;
    }

    private const string Columns =
        "id, clip_id, clip_label, template, prompt, frame_options, generation_options, state, text, stats, error, error_code, created_at, started_at, finished_at, queue_ms, "
        + "duration_seconds, segmentation, segments";

    private static NarrationRecord Read(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        ClipId = reader.GetString(1),
        ClipLabel = reader.GetString(2),
        Template = reader.IsDBNull(3) ? null : reader.GetString(3),
        Prompt = reader.GetString(4),
        Frames = JsonSerializer.Deserialize<FrameOptions>(reader.GetString(5), Json) ?? new FrameOptions(),
        Generation = JsonSerializer.Deserialize<GenerationOptions>(reader.GetString(6), Json) ?? new GenerationOptions(),
        State = reader.GetString(7),
        Text = reader.GetString(8),
        Stats = reader.IsDBNull(9) ? null : JsonSerializer.Deserialize<GenerationStats>(reader.GetString(9), Json),
        Error = reader.IsDBNull(10) ? null : reader.GetString(10),
        ErrorCode = reader.IsDBNull(11) ? null : reader.GetString(11),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12)),
        StartedAt = reader.IsDBNull(13) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(13)),
        FinishedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(14)),
        QueueSeconds = reader.IsDBNull(15) ? null : reader.GetDouble(15) / 1000,
        DurationSeconds = reader.IsDBNull(16) ? null : reader.GetDouble(16),
        Segmentation = reader.IsDBNull(17) ? null : reader.GetString(17),
        Segments = reader.IsDBNull(18) ? null : JsonSerializer.Deserialize<NarrationSegment[]>(reader.GetString(18), Json),
    };
}
