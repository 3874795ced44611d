using Microsoft.AspNetCore.Http.HttpResults;
using Narrator.Model.Search;
using Narrator.Web.Services;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Search;
using Narrator.Web.Services.Visitors;

namespace Narrator.Web.Api;

/// <summary><c>/api/search</c>: full-text search over the caller's own narrations, long videos' segments and translations.</summary>
public static class SearchApi
{
    public const string Route = "/api/search";

    public static RouteHandlerBuilder MapSearchApi(this IEndpointRouteBuilder app) =>
        app.MapGet(Route, SearchNarrations)
            .WithTags("Search")
            .WithName(nameof(SearchNarrations))
            .WithSummary("Your narrations, segments and translations holding every word of q (Chinese or English, any case), best first, with snippets; a segment hit says where to seek.");

    public static async Task<Results<Ok<SearchResponse>, ProblemHttpResult>> SearchNarrations(
        HttpContext context, NarrationService narrations, CancellationToken cancellationToken, string? q = null, int? limit = null)
    {
        if (limit is < 1 or > NarrationSearch.MaxLimit)
        {
            return ApiProblems.BadRequest($"limit must be between 1 and {NarrationSearch.MaxLimit}.");
        }
        try
        {
            // The visitor's own, by the same owner key their history stores (never the address: visitors share those).
            var result = await narrations.SearchAsync(q, VisitorCookie.OwnerOf(context), limit ?? 20, cancellationToken).ConfigureAwait(false);
            return TypedResults.Ok(new SearchResponse(result.Query, result.Mode, [.. result.Hits.Select(SearchResponseHit.From)]));
        }
        catch (NarrationRejectedException ex)
        {
            return ApiProblems.Rejected(ex);
        }
    }
}

/// <summary>Answer of <c>GET /api/search</c>: the query, how it was answered ("trigram", "trigram+substring" or "substring") and the hits.</summary>
public sealed record SearchResponse(string Query, string Mode, IReadOnlyList<SearchResponseHit> Hits);

/// <summary>
/// One hit: which narration (open it at /api/narrations/{narrationId}), what matched ("narration", "segment" or
/// "translation" with its language), for a long video the segment and its times, the snippet with the matches as
/// [start, length] UTF-16 offsets, and a score (higher is better).
/// </summary>
public sealed record SearchResponseHit(
    string NarrationId,
    string Video,
    string Kind,
    string? Language,
    int? SegmentIndex,
    double? Start,
    double? End,
    string Snippet,
    IReadOnlyList<int[]> Highlights,
    double Score)
{
    public static SearchResponseHit From(SearchHit hit) => new(
        hit.Document.NarrationId,
        hit.Document.Video,
        hit.Document.Kind,
        hit.Document.Language,
        hit.Document.SegmentIndex,
        hit.Document.StartSeconds,
        hit.Document.EndSeconds,
        hit.Snippet.Text,
        [.. hit.Snippet.Highlights.Select(span => new[] { span.Start, span.Length })],
        Math.Round(hit.Score, 4));
}
