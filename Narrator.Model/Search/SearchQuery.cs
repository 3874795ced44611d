using System.Globalization;
using System.Text;

namespace Narrator.Model.Search;

/// <summary>
/// What a person typed into a search box, as terms: words split at spaces, "quoted phrases" kept whole. Every term must
/// occur in a hit. Matching is by substring (so Chinese needs no word splitting) and ignores case.
/// </summary>
public sealed record SearchQuery
{
    public const int MaxLength = 200;
    public const int MaxTerms = 8;

    /// <summary>Terms shorter than this many characters are below what a trigram index can look up.</summary>
    public const int TrigramLength = 3;

    public required string Text { get; init; }

    public required IReadOnlyList<string> Terms { get; init; }

    /// <summary>True when some term is shorter than <see cref="TrigramLength"/> characters (e.g. a two-character Chinese word).</summary>
    public bool HasShortTerms => Terms.Any(IsShort);

    public static bool IsShort(string term) => new StringInfo(term).LengthInTextElements < TrigramLength;

    /// <summary>Reads a query, or says in a sentence why it cannot be searched for.</summary>
    public static SearchQuery Parse(string? text)
    {
        string trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            throw new UserInputException("Type a word or phrase to search for.");
        }
        if (trimmed.Length > MaxLength)
        {
            throw new UserInputException($"The search is {trimmed.Length} characters long; the limit is {MaxLength}.");
        }
        var terms = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        foreach (char c in trimmed)
        {
            if (c is '"' or '“' or '”')
            {
                Flush();
                quoted = !quoted;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                Flush();
            }
            else
            {
                current.Append(c);
            }
        }
        Flush();
        if (terms.Count == 0)
        {
            throw new UserInputException("Type a word or phrase to search for.");
        }
        if (terms.Count > MaxTerms)
        {
            throw new UserInputException($"The search has {terms.Count} words; use at most {MaxTerms} (put a phrase in quotes to count it as one).");
        }
        return new SearchQuery { Text = trimmed, Terms = terms };

        void Flush()
        {
            string term = current.ToString().Trim();
            current.Clear();
            if (term.Length > 0 && !terms.Contains(term, StringComparer.OrdinalIgnoreCase))
            {
                terms.Add(term);
            }
        }
    }
}
