using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Templates;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Search;

namespace Narrator.Web.Services.History;

/// <summary>
/// Narrations in SQLite, from the moment they are accepted: clip label, template, prompt, options, text (partial while
/// running), stats, times and the visitor who owns them; their translations (also from the moment each is queued);
/// and the search index rows of both, written in the same transaction so search never lags the history. A narration or
/// translation that a previous run of the server left queued or running is read as "interrupted" with the text it had reached.
/// </summary>
public sealed class NarrationHistory(NarratorDatabase database, TimeProvider time)
{
    public const string InterruptedWhileRunning =
        "The server stopped while this narration was being written; the text it had written by then is kept.";

    public const string InterruptedWhileQueued = "The server stopped before this narration started; please start it again.";

    public const string TranslationInterrupted =
        "The server stopped while this translation was being written; the text it had written by then is kept. Ask for it again to finish it.";

    public const string TranslationNeverStarted =
        "The server stopped before this translation started, so there is no text; please ask for it again.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Narration states as stored; rows still "queued" or "running" from another process are read as interrupted.
    private const string EffectiveState =
        "(CASE WHEN state IN ('queued', 'running') AND instance IS NOT $instance THEN 'interrupted' ELSE state END)";

    private const string FinishedOrder = "COALESCE(finished_at, updated_at, created_at)";

    private const string Columns =
        "id, clip_id, clip_label, template, prompt, frame_options, generation_options, state, text, stats, error, error_code, created_at, started_at, finished_at, queue_ms, "
        + "duration_seconds, segmentation, segments, updated_at, instance, subtitles";

    private const string TranslationColumns = "narration_id, language, state, text, segments, error, stats, finished_at, instance";

    /// <summary>This process in the history: rows written by another one and left queued or running were interrupted.</summary>
    public string Instance { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>
    /// Stores (inserts or replaces) a narration as it stands now, for <paramref name="owner"/>; once it has ended, its text
    /// is indexed for search under the same owner in the same transaction (a live narration is not searchable yet).
    /// </summary>
    public async Task SaveAsync(NarrationRecord record, NarrationOwner owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        long updatedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenForWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT OR REPLACE INTO narrations
                (id, owner, clip_id, clip_label, template, prompt, frame_options, generation_options, state, text, stats,
                 error, error_code, created_at, started_at, finished_at, queue_ms, duration_seconds, segmentation, segments,
                 updated_at, instance, subtitles)
            VALUES ($id, $owner, $clip, $label, $template, $prompt, $frames, $generation, $state, $text, $stats,
                 $error, $code, $created, $started, $finished, $queue, $duration, $segmentation, $segments, $updated, $instance, $subtitles)
            """;
        command.Parameters.AddWithValue("$id", record.Id);
        command.Parameters.AddWithValue("$owner", owner.Value);
        command.Parameters.AddWithValue("$clip", record.ClipId);
        command.Parameters.AddWithValue("$label", record.ClipLabel);
        command.Parameters.AddWithValue("$template", (object?)record.Template ?? DBNull.Value);
        command.Parameters.AddWithValue("$prompt", record.Prompt);
        command.Parameters.AddWithValue("$frames", JsonSerializer.Serialize(record.Options.Frames, Json));
        command.Parameters.AddWithValue("$generation", JsonSerializer.Serialize(record.Options.Generation, Json));
        command.Parameters.AddWithValue("$state", record.State.ToName());
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
        command.Parameters.AddWithValue("$updated", updatedAt);
        command.Parameters.AddWithValue("$instance", Instance);
        command.Parameters.AddWithValue("$subtitles", (object?)record.Subtitles ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        SearchRows.Delete(connection, transaction, record.Id, language: null);
        if (!record.State.IsLive())
        {
            SearchRows.Insert(connection, transaction, owner.Value, record.FinishedAt?.ToUnixTimeMilliseconds() ?? updatedAt,
                SearchRows.ForNarration(record.Id, record.ClipLabel, record.Text, record.Segments));
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores one language of a translation of narration <paramref name="narrationId"/> under the narration's owner:
    /// "queued" while its request waits (only where nothing is stored for that language yet: an earlier translation into
    /// it stays until the new one starts), "running" with its text so far while it is written (both read back as
    /// interrupted after a crash), then how it ended, which is indexed for search. Running and ended replace what was
    /// stored. A stopped or failed translation keeps the text it had, with the error.
    /// </summary>
    public async Task SaveTranslationAsync(string narrationId, NarrationOwner owner, string clipLabel, NarrationTranslation translation,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(translation);
        bool queued = translation.State == NarrationState.Queued;
        await using var connection = await database.OpenForWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT OR {(queued ? "IGNORE" : "REPLACE")} INTO narration_translations
                (narration_id, language, owner, state, text, segments, error, stats, finished_at, updated_at, instance)
            VALUES ($narration, $language, $owner, $state, $text, $segments, $error, $stats, $finished, $updated, $instance)
            """;
        long finishedAt = translation.FinishedAt.ToUnixTimeMilliseconds();
        command.Parameters.AddWithValue("$narration", narrationId);
        command.Parameters.AddWithValue("$language", translation.Language);
        command.Parameters.AddWithValue("$owner", owner.Value);
        command.Parameters.AddWithValue("$state", translation.State.ToName());
        command.Parameters.AddWithValue("$text", translation.Text);
        command.Parameters.AddWithValue("$segments", translation.Segments is { } segments ? JsonSerializer.Serialize(segments, Json) : DBNull.Value);
        command.Parameters.AddWithValue("$error", (object?)translation.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("$stats", translation.Stats is { } stats ? JsonSerializer.Serialize(stats, Json) : DBNull.Value);
        command.Parameters.AddWithValue("$finished", finishedAt);
        command.Parameters.AddWithValue("$updated", time.GetUtcNow().ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$instance", Instance);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (!queued)
        {
            SearchRows.Delete(connection, transaction, narrationId, translation.Language);
        }
        if (!translation.State.IsLive())
        {
            SearchRows.Insert(connection, transaction, owner.Value, finishedAt,
                SearchRows.ForTranslation(narrationId, clipLabel, translation.Language, translation.Text, translation.Segments));
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes a language this process stored as queued for a request that ended without starting it (cancelled, refused),
    /// so nothing of it is left; a language stored in any other state, or by another run, is not touched.
    /// </summary>
    public async Task ForgetQueuedTranslationAsync(string narrationId, string language, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM narration_translations
            WHERE narration_id = $narration AND language = $language AND state = 'queued' AND instance = $instance
            """;
        command.Parameters.AddWithValue("$narration", narrationId);
        command.Parameters.AddWithValue("$language", language);
        command.Parameters.AddWithValue("$instance", Instance);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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
        if (query.Owner is { } owner)
        {
            where.Add("owner = $owner");
            command.Parameters.AddWithValue("$owner", owner.Value);
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
        if (query.State is { } state)
        {
            where.Add($"{EffectiveState} = $state");
            command.Parameters.AddWithValue("$state", state.ToName());
        }
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, HistoryQuery.MaxLimit));
        command.CommandText = $"SELECT {Columns} FROM narrations WHERE {string.Join(" AND ", where)} ORDER BY {FinishedOrder} DESC LIMIT $limit";
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

    /// <summary>
    /// Removes a narration from the database in one transaction: its share link, its search rows (its own and every
    /// language's), its translations and its row. <paramref name="removeShareFolder"/> is handed the share's token before
    /// the rows commit, so a crash in between leaves a link that answers 404 (its files are gone) beside a record that
    /// can be deleted again, never a link to a deleted record. False, without writing (so a full disk is no obstacle),
    /// when nothing is stored under <paramref name="id"/>.
    /// </summary>
    public async Task<bool> DeleteAsync(string id, Action<string> removeShareFolder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(removeShareFolder);
        await using (var lookup = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        await using (var exists = lookup.CreateCommand())
        {
            exists.CommandText = """
                SELECT EXISTS (SELECT 1 FROM narrations WHERE id = $id) OR EXISTS (SELECT 1 FROM narration_translations WHERE narration_id = $id)
                    OR EXISTS (SELECT 1 FROM shares WHERE narration_id = $id) OR EXISTS (SELECT 1 FROM search_documents WHERE narration_id = $id)
                """;
            exists.Parameters.AddWithValue("$id", id);
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is 0L)
            {
                return false;
            }
        }
        await using var connection = await database.OpenForWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT token FROM shares WHERE narration_id = $id";
            read.Parameters.AddWithValue("$id", id);
            if (await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string token)
            {
                removeShareFolder(token);
            }
        }
        int removed;
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            // search_documents' trigger takes the rows out of the FTS index too.
            command.CommandText = """
                DELETE FROM shares WHERE narration_id = $id;
                DELETE FROM search_documents WHERE narration_id = $id;
                DELETE FROM narration_translations WHERE narration_id = $id;
                DELETE FROM narrations WHERE id = $id;
                """;
            command.Parameters.AddWithValue("$id", id);
            removed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return removed > 0;
    }

    /// <summary>
    /// Marks every narration and translation another run of the server left queued or running as interrupted (its text
    /// so far is kept and becomes searchable), so lists, filters and exports see them as ended. Returns how many there were.
    /// </summary>
    public async Task<int> MarkInterruptedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // What is about to be marked, so its partial text goes into the search index with it.
        var narrations = new List<(string Id, string Owner, string Video, string Text, string? Segments, long At)>();
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = """
                SELECT id, owner, clip_label, text, segments, COALESCE(updated_at, created_at) FROM narrations
                WHERE state IN ('queued', 'running') AND instance IS NOT $instance
                """;
            read.Parameters.AddWithValue("$instance", Instance);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                narrations.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5)));
            }
        }
        var translations = new List<(string NarrationId, string Language, string Owner, string Video, string Text, string? Segments, long At)>();
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = """
                SELECT t.narration_id, t.language, t.owner, COALESCE(n.clip_label, ''), t.text, t.segments, COALESCE(t.updated_at, t.finished_at)
                FROM narration_translations t LEFT JOIN narrations n ON n.id = t.narration_id
                WHERE t.state IN ('queued', 'running') AND t.instance IS NOT $instance
                """;
            read.Parameters.AddWithValue("$instance", Instance);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                translations.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetInt64(6)));
            }
        }
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE narrations
                SET error = CASE WHEN state = 'running' THEN $running ELSE $queued END,
                    state = 'interrupted', error_code = $code, finished_at = COALESCE(updated_at, created_at)
                WHERE state IN ('queued', 'running') AND instance IS NOT $instance;
                UPDATE narration_translations
                SET error = CASE WHEN state = 'running' THEN $translation ELSE $neverStarted END,
                    state = 'interrupted', finished_at = COALESCE(updated_at, finished_at)
                WHERE state IN ('queued', 'running') AND instance IS NOT $instance;
                """;
            command.Parameters.AddWithValue("$running", InterruptedWhileRunning);
            command.Parameters.AddWithValue("$queued", InterruptedWhileQueued);
            command.Parameters.AddWithValue("$translation", TranslationInterrupted);
            command.Parameters.AddWithValue("$neverStarted", TranslationNeverStarted);
            command.Parameters.AddWithValue("$code", FailureCodes.Interrupted);
            command.Parameters.AddWithValue("$instance", Instance);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var row in narrations)
        {
            SearchRows.Delete(connection, transaction, row.Id, language: null);
            SearchRows.Insert(connection, transaction, row.Owner, row.At, SearchRows.ForNarration(row.Id, row.Video, row.Text, Segments(row.Segments)));
        }
        foreach (var row in translations)
        {
            SearchRows.Delete(connection, transaction, row.NarrationId, row.Language);
            SearchRows.Insert(connection, transaction, row.Owner, row.At,
                SearchRows.ForTranslation(row.NarrationId, row.Video, row.Language, row.Text, Segments(row.Segments)));
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return narrations.Count + translations.Count;
    }

    /// <summary>The records with their stored translations attached (one query for all of them).</summary>
    private async Task<IReadOnlyList<NarrationRecord>> WithTranslationsAsync(SqliteConnection connection, List<NarrationRecord> records,
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
        command.CommandText = $"SELECT {TranslationColumns} FROM narration_translations "
            + $"WHERE narration_id IN ({string.Join(", ", names)}) ORDER BY language";
        var byNarration = new Dictionary<string, Dictionary<string, NarrationTranslation>>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var translation = ReadTranslation(reader);
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

    // Only this server writes the column; a value it does not know (a hand-edited file) reads as failed, saying so, and the rest still reads.
    private static (NarrationState State, string? Unknown) ReadState(string text) => NarrationStates.TryParse(text, out var state)
        ? (state, null)
        : (NarrationState.Failed, $"The history holds the state \"{text}\" here, which this server does not know, so it is shown as failed.");

    private NarrationTranslation ReadTranslation(SqliteDataReader reader)
    {
        var (state, unknown) = ReadState(reader.GetString(2));
        string? instance = reader.IsDBNull(8) ? null : reader.GetString(8);
        var translation = new NarrationTranslation
        {
            Language = reader.GetString(1),
            State = state,
            Text = reader.GetString(3),
            Segments = Segments(reader.IsDBNull(4) ? null : reader.GetString(4)),
            Error = unknown ?? (reader.IsDBNull(5) ? null : reader.GetString(5)),
            Stats = reader.IsDBNull(6) ? null : JsonSerializer.Deserialize<GenerationStats>(reader.GetString(6), Json),
            FinishedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
        };
        // Queued or running in another process: that process is gone, so the translation was interrupted where it stands.
        return state.IsLive() && instance != Instance
            ? translation with
            {
                State = NarrationState.Interrupted,
                Error = state == NarrationState.Running ? TranslationInterrupted : TranslationNeverStarted,
            }
            : translation;
    }

    private static NarrationSegment[]? Segments(string? json) => json is null ? null : JsonSerializer.Deserialize<NarrationSegment[]>(json, Json);

    private NarrationRecord Read(SqliteDataReader reader)
    {
        var (state, unknown) = ReadState(reader.GetString(7));
        long? updatedAt = reader.IsDBNull(19) ? null : reader.GetInt64(19);
        string? instance = reader.IsDBNull(20) ? null : reader.GetString(20);
        long? finishedAt = reader.IsDBNull(14) ? null : reader.GetInt64(14);
        bool interrupted = state.IsLive() && instance != Instance;
        var record = new NarrationRecord
        {
            Id = reader.GetString(0),
            ClipId = reader.GetString(1),
            ClipLabel = reader.GetString(2),
            Template = reader.IsDBNull(3) ? null : reader.GetString(3),
            Prompt = reader.GetString(4),
            Options = new NarrationOptions(
                JsonSerializer.Deserialize<FrameOptions>(reader.GetString(5), Json) ?? new FrameOptions(),
                JsonSerializer.Deserialize<GenerationOptions>(reader.GetString(6), Json) ?? new GenerationOptions()),
            State = state,
            Text = reader.GetString(8),
            Stats = reader.IsDBNull(9) ? null : JsonSerializer.Deserialize<GenerationStats>(reader.GetString(9), Json),
            Error = unknown ?? (reader.IsDBNull(10) ? null : reader.GetString(10)),
            ErrorCode = unknown is not null ? FailureCodes.Failed : reader.IsDBNull(11) ? null : reader.GetString(11),
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12)),
            StartedAt = reader.IsDBNull(13) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(13)),
            FinishedAt = finishedAt is { } finished ? DateTimeOffset.FromUnixTimeMilliseconds(finished) : null,
            QueueSeconds = reader.IsDBNull(15) ? null : reader.GetDouble(15) / 1000,
            DurationSeconds = reader.IsDBNull(16) ? null : reader.GetDouble(16),
            Segmentation = reader.IsDBNull(17) ? null : reader.GetString(17),
            Segments = Segments(reader.IsDBNull(18) ? null : reader.GetString(18)),
            Subtitles = reader.IsDBNull(21) ? null : reader.GetString(21),
        };
        return interrupted
            ? record with
            {
                State = NarrationState.Interrupted,
                ErrorCode = FailureCodes.Interrupted,
                Error = state == NarrationState.Running ? InterruptedWhileRunning : InterruptedWhileQueued,
                FinishedAt = DateTimeOffset.FromUnixTimeMilliseconds(updatedAt ?? record.CreatedAt.ToUnixTimeMilliseconds()),
            }
            : record;
    }
}
