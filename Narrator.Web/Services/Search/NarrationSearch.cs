using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Narrator.Model.Search;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Search;

/// <summary>
/// Full-text search over one owner's narrations, long videos' segments and translations. Terms of three characters or
/// more are looked up in the SQLite FTS5 trigram index (substring matching that needs no word splitting, so Chinese works
/// as well as English) and ranked by bm25. Trigrams cannot look up anything shorter — a two-character Chinese word is
/// common — so such terms are matched with LIKE over the owner's rows only (within the FTS hits when longer terms are
/// there too; alone, over the owner's newest rows, ranked in memory by the same BM25 formula).
/// </summary>
public sealed class NarrationSearch(NarratorDatabase database, ILogger<NarrationSearch> logger)
{
    public const int MaxLimit = 100;

    /// <summary>Rows a short-term-only search ranks at most (newest first): enough for any one visitor, bounded for the server.</summary>
    public const int ShortQueryCandidates = 2000;

    public async Task<NarrationSearchResult> SearchAsync(NarrationOwner owner, SearchQuery query, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        limit = Math.Clamp(limit, 1, MaxLimit);
        var watch = Stopwatch.StartNew();
        var longTerms = query.Terms.Where(term => !SearchQuery.IsShort(term)).ToList();
        var shortTerms = query.Terms.Where(SearchQuery.IsShort).ToList();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var where = new List<string> { "d.owner = $owner" };
        command.Parameters.AddWithValue("$owner", owner.Value);
        for (int i = 0; i < shortTerms.Count; i++)
        {
            string name = FormattableString.Invariant($"$like{i}");
            where.Add($"d.text LIKE {name} ESCAPE '\\'");
            command.Parameters.AddWithValue(name, "%" + EscapeLike(shortTerms[i]) + "%");
        }
        const string columns = "d.narration_id, d.video, d.kind, d.language, d.segment_index, d.start_seconds, d.end_seconds, d.text";
        string mode;
        if (longTerms.Count > 0)
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
            command.Parameters.AddWithValue("$limit", ShortQueryCandidates);
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

        IReadOnlyList<SearchHit> hits = mode == SearchModes.Substring
            // LIKE ignores case for ASCII only; the in-memory pass checks every term again and ranks the candidates.
            ? TextSearch.Search(found.Select(f => f.Document), query, limit)
            // bm25() is lower for better matches; hits carry "higher is better" like the in-memory ranking.
            : [.. found.Select(f => new SearchHit(f.Document, -f.Rank, SearchSnippet.Make(f.Document.Text, query.Terms)))];
        logger.LogInformation("Search for {Owner}: {Terms} term(s) by {Mode}, {Hits} hit(s) in {Milliseconds:F1} ms",
            owner, query.Terms.Count, mode, hits.Count, watch.Elapsed.TotalMilliseconds);
        return new NarrationSearchResult(query.Text, mode, hits);
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
    /// <summary>Every term was three characters or longer: the FTS5 trigram index, ranked by bm25.</summary>
    public const string Trigram = "trigram";

    /// <summary>Long terms through the index, short ones checked with LIKE on its hits.</summary>
    public const string TrigramAndSubstring = "trigram+substring";

    /// <summary>Only short terms: LIKE over the owner's rows, ranked in memory.</summary>
    public const string Substring = "substring";
}

/// <summary>The hits for one query, best first.</summary>
public sealed record NarrationSearchResult(string Query, string Mode, IReadOnlyList<SearchHit> Hits);
