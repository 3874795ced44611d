namespace Narrator.Model.Search;

/// <summary>
/// Substring search over documents in memory, ranked with Okapi BM25 (the ranking SQLite's FTS5 uses): a document hits
/// when it holds every term, ignoring case; rarer terms and denser matches rank higher, long texts are not favoured.
/// Used by <c>narrator search</c> over a results file and by the server for queries too short for its trigram index.
/// </summary>
public static class TextSearch
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    public static IReadOnlyList<SearchHit> Search(IEnumerable<SearchDocument> documents, SearchQuery query, int limit)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(query);
        var all = documents as IReadOnlyList<SearchDocument> ?? [.. documents];
        if (all.Count == 0 || limit <= 0)
        {
            return [];
        }
        var counts = new int[all.Count][];
        var documentFrequency = new int[query.Terms.Count];
        double totalLength = 0;
        for (int d = 0; d < all.Count; d++)
        {
            totalLength += all[d].Text.Length;
            counts[d] = new int[query.Terms.Count];
            for (int t = 0; t < query.Terms.Count; t++)
            {
                int n = Occurrences(all[d].Text, query.Terms[t]);
                counts[d][t] = n;
                documentFrequency[t] += n > 0 ? 1 : 0;
            }
        }
        double averageLength = Math.Max(1, totalLength / all.Count);
        var scored = new List<(SearchDocument Document, double Score)>();
        for (int d = 0; d < all.Count; d++)
        {
            if (Array.IndexOf(counts[d], 0) >= 0)
            {
                continue; // every term must occur
            }
            double score = 0;
            double lengthNorm = 1 - B + B * all[d].Text.Length / averageLength;
            for (int t = 0; t < query.Terms.Count; t++)
            {
                double idf = Math.Log(1 + (all.Count - documentFrequency[t] + 0.5) / (documentFrequency[t] + 0.5));
                double tf = counts[d][t];
                score += idf * tf * (K1 + 1) / (tf + K1 * lengthNorm);
            }
            scored.Add((all[d], score));
        }
        // Stable for equal scores, so documents keep the order they were given in (newest first, for a server).
        var ranked = scored.Select((hit, order) => (hit, order)).OrderByDescending(x => x.hit.Score).ThenBy(x => x.order).Take(limit);
        return [.. ranked.Select(x => new SearchHit(x.hit.Document, x.hit.Score, SearchSnippet.Make(x.hit.Document.Text, query.Terms)))];
    }

    public static int Occurrences(string text, string term)
    {
        if (term.Length == 0)
        {
            return 0;
        }
        int count = 0;
        for (int at = text.IndexOf(term, StringComparison.OrdinalIgnoreCase); at >= 0;
             at = text.IndexOf(term, at + term.Length, StringComparison.OrdinalIgnoreCase))
        {
            count++;
        }
        return count;
    }
}
