using Microsoft.Data.Sqlite;
using Narrator.Model.Exports;
using Narrator.Model.Search;

namespace Narrator.Web.Services.Search;

/// <summary>
/// The rows of the search index for one narration or one of its translations: a clip narrated whole is one row, a long
/// video one row per narrated segment (with its times, so a hit can seek there). Rows are replaced whole when their
/// narration or translation is stored again; FTS5 follows through triggers on the table.
/// </summary>
internal static class SearchRows
{
    public static IEnumerable<SearchDocument> ForNarration(string narrationId, string video, string text, IReadOnlyList<NarrationSegment>? segments) =>
        Documents(narrationId, video, null, text, segments);

    public static IEnumerable<SearchDocument> ForTranslation(string narrationId, string video, string language, string text,
        IReadOnlyList<NarrationSegment>? segments) =>
        Documents(narrationId, video, language, text, segments);

    // Synchronous on purpose: Microsoft.Data.Sqlite's async calls run synchronously anyway, and the start-up migration uses these too.
    public static void Insert(SqliteConnection connection, SqliteTransaction transaction, string owner, long finishedAt, IEnumerable<SearchDocument> documents)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO search_documents (narration_id, owner, kind, language, segment_index, start_seconds, end_seconds, video, text, finished_at)
            VALUES ($narration, $owner, $kind, $language, $segment, $start, $end, $video, $text, $finished)
            """;
        var narration = insert.Parameters.Add("$narration", SqliteType.Text);
        insert.Parameters.AddWithValue("$owner", owner);
        var kind = insert.Parameters.Add("$kind", SqliteType.Text);
        var language = insert.Parameters.Add("$language", SqliteType.Text);
        var segment = insert.Parameters.Add("$segment", SqliteType.Integer);
        var start = insert.Parameters.Add("$start", SqliteType.Real);
        var end = insert.Parameters.Add("$end", SqliteType.Real);
        var video = insert.Parameters.Add("$video", SqliteType.Text);
        var text = insert.Parameters.Add("$text", SqliteType.Text);
        insert.Parameters.AddWithValue("$finished", finishedAt);
        foreach (var document in documents)
        {
            narration.Value = document.NarrationId;
            kind.Value = document.Kind;
            language.Value = (object?)document.Language ?? DBNull.Value;
            segment.Value = (object?)document.SegmentIndex ?? DBNull.Value;
            start.Value = (object?)document.StartSeconds ?? DBNull.Value;
            end.Value = (object?)document.EndSeconds ?? DBNull.Value;
            video.Value = document.Video;
            text.Value = document.Text;
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>Removes a narration's own rows (<paramref name="language"/> null) or the rows of one of its translations.</summary>
    public static void Delete(SqliteConnection connection, SqliteTransaction transaction, string narrationId, string? language)
    {
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = language is null
            ? "DELETE FROM search_documents WHERE narration_id = $narration AND language IS NULL"
            : "DELETE FROM search_documents WHERE narration_id = $narration AND language = $language";
        delete.Parameters.AddWithValue("$narration", narrationId);
        if (language is not null)
        {
            delete.Parameters.AddWithValue("$language", language);
        }
        delete.ExecuteNonQuery();
    }

    private static IEnumerable<SearchDocument> Documents(string narrationId, string video, string? language, string text,
        IReadOnlyList<NarrationSegment>? segments)
    {
        if (segments is null)
        {
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return new SearchDocument
                {
                    NarrationId = narrationId,
                    Video = video,
                    Kind = language is null ? SearchKinds.Narration : SearchKinds.Translation,
                    Language = language,
                    Text = text,
                };
            }
            yield break;
        }
        foreach (var segment in segments)
        {
            string body = segment.Error is null ? segment.DisplayText : "";
            if (string.IsNullOrWhiteSpace(body))
            {
                continue;
            }
            yield return new SearchDocument
            {
                NarrationId = narrationId,
                Video = video,
                Kind = language is null ? SearchKinds.Segment : SearchKinds.Translation,
                Language = language,
                SegmentIndex = segment.Index,
                StartSeconds = segment.StartSeconds,
                EndSeconds = segment.EndSeconds,
                Text = body,
            };
        }
    }
}
