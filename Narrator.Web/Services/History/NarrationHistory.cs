using System.Text.Json;
using Microsoft.Data.Sqlite;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Search;

namespace Narrator.Web.Services.History;

/// <summary>
/// Finished narrations in SQLite: clip label, template, prompt, options, text, stats and times, listed newest first; their
/// translations; and the search index rows of both, written in the same transaction so search never lags the history.
/// </summary>
public sealed class NarrationHistory(NarratorDatabase database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Stores a finished narration (its final event decides completed or failed) and indexes its text for search.</summary>
    public async Task SaveAsync(NarrationJob job, NarrationEvent final, CancellationToken cancellationToken)
    {
        var stats = (final as CompletedEvent)?.Stats ?? job.Stats;
        var failure = final as FailedEvent;
        string text = final is CompletedEvent completed ? completed.Text : job.Text;
        var segments = job.Segments;
        // One owner for the narration and its search rows, so search follows whoever the history says owns it.
        string owner = job.Owner.Value;
        long finishedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT OR REPLACE INTO narrations
                (id, owner, clip_id, clip_label, template, prompt, frame_options, generation_options, state, text, stats,
                 error, error_code, created_at, started_at, finished_at, queue_ms, duration_seconds, segmentation, segments, subtitles)
            VALUES ($id, $owner, $clip, $label, $template, $prompt, $frames, $generation, $state, $text, $stats,
                 $error, $code, $created, $started, $finished, $queue, $duration, $segmentation, $segments, $subtitles)
            """;
        command.Parameters.AddWithValue("$id", job.Id);
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$clip", job.Work.ClipId);
        command.Parameters.AddWithValue("$label", job.Work.ClipLabel);
        command.Parameters.AddWithValue("$template", (object?)job.Work.TemplateId ?? DBNull.Value);
        command.Parameters.AddWithValue("$prompt", job.Work.Prompt);
        command.Parameters.AddWithValue("$frames", JsonSerializer.Serialize(job.Work.Frames, Json));
        command.Parameters.AddWithValue("$generation", JsonSerializer.Serialize(job.Work.Generation, Json));
        command.Parameters.AddWithValue("$state", failure is null ? "completed" : "failed");
        command.Parameters.AddWithValue("$text", text);
        command.Parameters.AddWithValue("$stats", stats is null ? DBNull.Value : JsonSerializer.Serialize(stats, Json));
        command.Parameters.AddWithValue("$error", (object?)failure?.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("$code", (object?)failure?.Code ?? DBNull.Value);
        command.Parameters.AddWithValue("$created", job.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$started", job.StartedAt is { } s ? s.ToUnixTimeMilliseconds() : DBNull.Value);
        command.Parameters.AddWithValue("$finished", finishedAt);
        command.Parameters.AddWithValue("$queue", job.TimeInQueue is { } q ? q.TotalMilliseconds : DBNull.Value);
        command.Parameters.AddWithValue("$duration", job.Work.Probe is { } probe ? probe.DurationSeconds : DBNull.Value);
        command.Parameters.AddWithValue("$segmentation", (object?)job.SegmentationMethod ?? DBNull.Value);
        command.Parameters.AddWithValue("$segments", segments is not null ? JsonSerializer.Serialize(segments, Json) : DBNull.Value);
        command.Parameters.AddWithValue("$subtitles", (object?)job.Work.Subtitles?.Source ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        SearchRows.Delete(connection, transaction, job.Id, language: null);
        SearchRows.Insert(connection, transaction, owner, finishedAt, SearchRows.ForNarration(job.Id, job.Work.ClipLabel, text, segments));
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores one language of a translation of narration <paramref name="narrationId"/> (replacing an earlier one) and indexes
    /// it for search under the narration's owner. A stopped or failed translation keeps the text it had, with the error.
    /// </summary>
    public async Task SaveTranslationAsync(string narrationId, NarrationOwner owner, string clipLabel, NarrationTranslation translation,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT OR REPLACE INTO narration_translations (narration_id, language, owner, state, text, segments, error, stats, finished_at)
            VALUES ($narration, $language, $owner, $state, $text, $segments, $error, $stats, $finished)
            """;
        long finishedAt = translation.FinishedAt.ToUnixTimeMilliseconds();
        command.Parameters.AddWithValue("$narration", narrationId);
        command.Parameters.AddWithValue("$language", translation.Language);
        command.Parameters.AddWithValue("$owner", owner.Value);
        command.Parameters.AddWithValue("$state", translation.State);
        command.Parameters.AddWithValue("$text", translation.Text);
        command.Parameters.AddWithValue("$segments", translation.Segments is { } segments ? JsonSerializer.Serialize(segments, Json) : DBNull.Value);
        command.Parameters.AddWithValue("$error", (object?)translation.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("$stats", translation.Stats is { } stats ? JsonSerializer.Serialize(stats, Json) : DBNull.Value);
        command.Parameters.AddWithValue("$finished", finishedAt);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        SearchRows.Delete(connection, transaction, narrationId, translation.Language);
        SearchRows.Insert(connection, transaction, owner.Value, finishedAt,
            SearchRows.ForTranslation(narrationId, clipLabel, translation.Language, translation.Text, translation.Segments));
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A stored narration with its translations; with <paramref name="owner"/>, only when it is theirs.</summary>
    public async Task<NarrationRecord?> GetAsync(string id, CancellationToken cancellationToken, NarrationOwner? owner = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM narrations WHERE id = $id" + (owner is null ? "" : " AND owner = $owner");
        command.Parameters.AddWithValue("$id", id);
        if (owner is { } who)
        {
            command.Parameters.AddWithValue("$owner", who.Value);
        }
        NarrationRecord? record;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            record = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
        }
        return record is null ? null : (await WithTranslationsAsync(connection, [record], cancellationToken).ConfigureAwait(false))[0];
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
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(Read(reader));
            }
        }
        return await WithTranslationsAsync(connection, records, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The records with their stored translations attached (one query for all of them).</summary>
    private static async Task<IReadOnlyList<NarrationRecord>> WithTranslationsAsync(SqliteConnection connection, List<NarrationRecord> records,
        CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return records;
        }
        await using var command = connection.CreateCommand();
        var names = new List<string>(records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            names.Add("$n" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue(names[^1], records[i].Id);
        }
        command.CommandText = "SELECT narration_id, language, state, text, segments, error, stats, finished_at FROM narration_translations "
            + $"WHERE narration_id IN ({string.Join(", ", names)}) ORDER BY language";
        var byNarration = new Dictionary<string, Dictionary<string, NarrationTranslation>>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var translation = new NarrationTranslation
                {
                    Language = reader.GetString(1),
                    State = reader.GetString(2),
                    Text = reader.GetString(3),
                    Segments = reader.IsDBNull(4) ? null : JsonSerializer.Deserialize<NarrationSegment[]>(reader.GetString(4), Json),
                    Error = reader.IsDBNull(5) ? null : reader.GetString(5),
                    Stats = reader.IsDBNull(6) ? null : JsonSerializer.Deserialize<GenerationStats>(reader.GetString(6), Json),
                    FinishedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                };
                string id = reader.GetString(0);
                if (!byNarration.TryGetValue(id, out var languages))
                {
                    byNarration[id] = languages = new Dictionary<string, NarrationTranslation>(StringComparer.Ordinal);
                }
                languages[translation.Language] = translation;
            }
        }
        for (int i = 0; i < records.Count; i++)
        {
            if (byNarration.TryGetValue(records[i].Id, out var translations))
            {
                records[i] = records[i] with { Translations = translations };
            }
        }
        return records;
    }

    private const string Columns =
        "id, clip_id, clip_label, template, prompt, frame_options, generation_options, state, text, stats, error, error_code, created_at, started_at, finished_at, queue_ms, "
        + "duration_seconds, segmentation, segments, subtitles";

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
        Subtitles = reader.IsDBNull(19) ? null : reader.GetString(19),
    };
}
