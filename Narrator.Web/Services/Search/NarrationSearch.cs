using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Narrator.Model.Search;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Search;

/// <summary>
/// Full-text search over one owner's narrations, long videos' segments and translations, ranked by BM25 with snippets.
/// Words of three characters or more are looked up in the SQLite FTS5 trigram index (substring matching that needs no
/// word splitting, so Chinese works as well as English) and ranked by bm25(). The index holds everyone's rows, so a word
/// common across all visitors makes it rank far more rows than the asking visitor has; FTS5 cannot be asked for one
/// owner's rows (a rowid probe per row restarts the whole query). So the search reads whichever is cheaper: the index,
/// when the words match few rows across everyone next to the visitor's own rows (counted with a LIMIT, so counting stops
/// as soon as the index has lost), else the visitor's rows with LIKE, ranked in memory by the same BM25 formula (an
/// index hit is weighed as <see cref="IndexHitCost"/> scanned rows; a visitor with fewer than
/// <see cref="AlwaysScanBelowRows"/> rows is scanned without asking the index). Words shorter than three characters (a
/// two-character Chinese word is common) are below what trigrams can look up: LIKE on the index's hits, or on the scan.
/// </summary>
public sealed class NarrationSearch(NarratorDatabase database, ILogger<NarrationSearch> logger)
{
    public const int MaxLimit = 100;

    /// <summary>Rows a scan ranks at most (the visitor's newest): more than any visitor's history, a bound for the server.</summary>
    public const int ScanCandidates = 10_000;

    /// <summary>
    /// What one index match costs against one scanned row of the visitor's: matching a phrase of trigrams, bm25 and the
    /// join to the row take about eight times a LIKE over the row (measured with the search benchmark, docs/BENCHMARKS.md).
    /// </summary>
    public const int IndexHitCost = 8;

    /// <summary>A visitor with fewer rows than this is always scanned: that costs less than one look into the index (measured).</summary>
    public const int AlwaysScanBelowRows = 256;

    /// <summary><see cref="AlwaysScanBelowRows"/>, lowered by tests that need the index with a handful of rows.</summary>
    internal int AlwaysScanBelow { get; init; } = AlwaysScanBelowRows;

    public async Task<NarrationSearchResult> SearchAsync(NarrationOwner owner, SearchQuery query, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        limit = Math.Clamp(limit, 1, MaxLimit);
        var watch = Stopwatch.StartNew();
        var longTerms = query.Terms.Where(term => !SearchQuery.IsShort(term)).ToList();
        var shortTerms = query.Terms.Where(SearchQuery.IsShort).ToList();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        long ownerRows = 0, indexRows = 0;
        bool useIndex = false;
        if (longTerms.Count > 0)
        {
            ownerRows = await CountOwnerRowsAsync(connection, owner, cancellationToken).ConfigureAwait(false);
            if (ownerRows >= AlwaysScanBelow)
            {
                // Counting stops once the index would cost more than the scan, so deciding never costs more than the cheaper way.
                long affordable = ownerRows / IndexHitCost;
                indexRows = await CountMatchesAsync(connection, MatchExpression(longTerms), affordable + 1, cancellationToken).ConfigureAwait(false);
                useIndex = indexRows <= affordable;
            }
        }

        await using var command = connection.CreateCommand();
        var where = new List<string> { "d.owner = $owner" };
        command.Parameters.AddWithValue("$owner", owner.Value);
        var likeTerms = useIndex ? shortTerms : query.Terms;
        for (int i = 0; i < likeTerms.Count; i++)
        {
            string name = FormattableString.Invariant($"$like{i}");
            where.Add($"d.text LIKE {name} ESCAPE '\\'");
            command.Parameters.AddWithValue(name, "%" + EscapeLike(likeTerms[i]) + "%");
        }
        const string columns = "d.narration_id, d.video, d.kind, d.language, d.segment_index, d.start_seconds, d.end_seconds, d.text";
        string mode;
        if (useIndex)
        {
            mode = shortTerms.Count > 0 ? SearchModes.TrigramAndSubstring : SearchModes.Trigram;
            command.CommandText = $"""
                SELECT {columns}, bm25(search_index) AS rank
                FROM search_index JOIN search_documents d ON d.id = search_index.rowid
                WHERE search_index MATCH $match AND {string.Join(" AND ", where)}
                ORDER BY rank, d.finished_at DESC
                LIMIT $limit
                """;
            command.Parameters.AddWithValue("$match", MatchExpression(longTerms));
            command.Parameters.AddWithValue("$limit", limit);
        }
        else
        {
            mode = SearchModes.Substring;
            command.CommandText = $"""
                SELECT {columns}, 0 AS rank FROM search_documents d
                WHERE {string.Join(" AND ", where)}
                ORDER BY d.finished_at DESC
                LIMIT $limit
                """;
            command.Parameters.AddWithValue("$limit", ScanCandidates);
        }

        var found = new List<(SearchDocument Document, double Rank)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found.Add((new SearchDocument
                {
                    NarrationId = reader.GetString(0),
                    Video = reader.GetString(1),
                    Kind = reader.GetString(2),
                    Language = reader.IsDBNull(3) ? null : reader.GetString(3),
                    SegmentIndex = reader.IsDBNull(4) ? null : reader.GetInt32(4),
                    StartSeconds = reader.IsDBNull(5) ? null : reader.GetDouble(5),
                    EndSeconds = reader.IsDBNull(6) ? null : reader.GetDouble(6),
                    Text = reader.GetString(7),
                }, reader.GetDouble(8)));
            }
        }

        IReadOnlyList<SearchHit> hits = useIndex
            // bm25() is lower for better matches; hits carry "higher is better" like the in-memory ranking.
            ? [.. found.Select(f => new SearchHit(f.Document, -f.Rank, SearchSnippet.Make(f.Document.Text, query.Terms)))]
            // LIKE ignores case for ASCII only; the in-memory pass checks every term again and ranks the candidates.
            : TextSearch.Search(found.Select(f => f.Document), query, limit);
        logger.LogInformation(
            "Search for {Owner}: {Terms} term(s) by {Mode} (index estimate {IndexRows} rows, owner {OwnerRows} rows), {Hits} hit(s) in {Milliseconds:F1} ms",
            owner, query.Terms.Count, mode, indexRows, ownerRows, hits.Count, watch.Elapsed.TotalMilliseconds);
        return new NarrationSearchResult(query.Text, mode, hits);
    }

    /// <summary>How many rows the owner has in the index (an index-only count).</summary>
    private static async Task<long> CountOwnerRowsAsync(SqliteConnection connection, NarrationOwner owner, CancellationToken cancellationToken)
    {
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM search_documents WHERE owner = $owner";
        count.Parameters.AddWithValue("$owner", owner.Value);
        return Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>How many rows of everyone's match <paramref name="match"/>, counted up to <paramref name="cap"/> only (no ranking).</summary>
    private static async Task<long> CountMatchesAsync(SqliteConnection connection, string match, long cap, CancellationToken cancellationToken)
    {
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM (SELECT 1 FROM search_index WHERE search_index MATCH $match LIMIT $cap)";
        count.Parameters.AddWithValue("$match", match);
        count.Parameters.AddWithValue("$cap", cap);
        return Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Each term as an FTS5 string (quotes doubled), all required: "red coat" "咖啡馆".</summary>
    internal static string MatchExpression(IEnumerable<string> terms) =>
        string.Join(" ", terms.Select(term => "\"" + term.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

    private static string EscapeLike(string term)
    {
        var escaped = new StringBuilder(term.Length + 4);
        foreach (char c in term)
        {
            if (c is '%' or '_' or '\\')
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}

/// <summary>How a search was answered, for the API and the logs.</summary>
public static class SearchModes
{
    /// <summary>Every word was three characters or longer and rare enough: the FTS5 trigram index, ranked by bm25().</summary>
    public const string Trigram = "trigram";

    /// <summary>Long words through the index, short ones checked with LIKE on its hits.</summary>
    public const string TrigramAndSubstring = "trigram+substring";

    /// <summary>Only short words, or words so common that the visitor's own rows are fewer: LIKE over them, BM25 in memory.</summary>
    public const string Substring = "substring";
}

/// <summary>The hits for one query, best first.</summary>
public sealed record NarrationSearchResult(string Query, string Mode, IReadOnlyList<SearchHit> Hits);
