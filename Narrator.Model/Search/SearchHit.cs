namespace Narrator.Model.Search;

/// <summary>A document that matched, how well (higher is better), and the snippet to show.</summary>
public sealed record SearchHit(SearchDocument Document, double Score, SearchSnippet Snippet);
