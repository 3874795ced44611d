using System.Text;
using Narrator.Model.Search;

namespace Narrator.Model.Tests.Search;

public class TextSearchTests
{
    private static SearchDocument Doc(string id, string text, string kind = SearchKinds.Narration, int? segment = null) =>
        new() { NarrationId = id, Video = id + ".mp4", Kind = kind, SegmentIndex = segment, Text = text };

    private static readonly SearchDocument[] Documents =
    [
        Doc("cafe", "一个穿红衣服的女人走进了咖啡馆，坐在窗边。"),
        Doc("street", "A woman in a red coat walks down a rainy street at night."),
        Doc("office", "Two men argue in an office; one slams the door.", SearchKinds.Segment, 1),
        Doc("beach", "Children run along the beach. The woman watches the children."),
    ];

    private static IReadOnlyList<string> Ids(string query, int limit = 10) =>
        [.. TextSearch.Search(Documents, SearchQuery.Parse(query), limit).Select(hit => hit.Document.NarrationId)];

    [Fact]
    public void Chinese_is_found_by_substring_without_word_splitting() => Assert.Equal(["cafe"], Ids("咖啡馆"));

    [Fact]
    public void A_two_character_chinese_word_is_found_too() => Assert.Equal(["cafe"], Ids("衣服"));

    [Fact]
    public void Every_word_must_occur_and_case_does_not_matter()
    {
        Assert.Equal(["street"], Ids("RED coat"));
        Assert.Empty(Ids("red umbrella"));
    }

    [Fact]
    public void A_quoted_phrase_must_occur_as_written()
    {
        Assert.Equal(["street"], Ids("\"red coat\""));
        Assert.Empty(Ids("\"coat red\""));
    }

    [Fact]
    public void Denser_matches_of_rarer_words_rank_first()
    {
        // "woman" occurs in three texts; "children" twice in one short text makes it the best hit for both words.
        Assert.Equal(["beach"], Ids("woman children"));
        Assert.Equal("beach", Ids("children woman the")[0]);
        Assert.Equal(["street", "beach", "cafe"], Ids("woman").Concat(Ids("女人")));
    }

    [Fact]
    public void The_limit_keeps_the_best_hits() => Assert.Single(Ids("the", limit: 1));

    [Fact]
    public void Snippets_mark_every_occurrence_and_center_on_the_first_match()
    {
        string text = new string('x', 300) + " the red coat and another red scarf " + new string('y', 300);

        var snippet = SearchSnippet.Make(text, ["red"], maxLength: 80);

        Assert.StartsWith("…", snippet.Text);
        Assert.EndsWith("…", snippet.Text);
        Assert.True(snippet.Text.Length <= 82);
        Assert.Equal(["red", "red"], snippet.Highlights.Select(h => snippet.Text.Substring(h.Start, h.Length)));
        Assert.Equal(["red", "red"], snippet.Parts().Where(p => p.Highlighted).Select(p => p.Text));
        Assert.Equal(snippet.Text, string.Concat(snippet.Parts().Select(p => p.Text)));
    }

    [Fact]
    public void Overlapping_terms_are_marked_once_and_lines_become_one()
    {
        var snippet = SearchSnippet.Make("红衣服的女人\n走进咖啡馆", ["红衣", "衣服"]);

        Assert.Equal("红衣服的女人 走进咖啡馆", snippet.Text);
        Assert.Equal([new TextSpan(0, 3)], snippet.Highlights);
    }

    [Fact]
    public void A_snippet_never_cuts_a_character_in_half()
    {
        string text = string.Concat(Enumerable.Repeat("😀", 200)) + "target" + string.Concat(Enumerable.Repeat("😀", 200));

        var snippet = SearchSnippet.Make(text, ["target"], maxLength: 41);

        Assert.DoesNotContain('\uFFFD', snippet.Text);
        Assert.All(snippet.Text.Trim('…').EnumerateRunes(), rune => Assert.True(Rune.IsValid(rune.Value)));
        Assert.False(char.IsLowSurrogate(snippet.Text.TrimStart('…')[0]));
    }

    [Theory]
    [InlineData("", "Type a word or phrase to search for.")]
    [InlineData("  \"\"  ", "Type a word or phrase to search for.")]
    [InlineData("a b c d e f g h i", "The search has 9 words; use at most 8 (put a phrase in quotes to count it as one).")]
    public void Queries_that_cannot_be_searched_say_why(string query, string message) =>
        Assert.Equal(message, Assert.Throws<UserInputException>(() => SearchQuery.Parse(query)).Message);

    [Fact]
    public void A_query_keeps_phrases_and_knows_its_short_terms()
    {
        var query = SearchQuery.Parse("“red coat”  衣服 night night");

        Assert.Equal(["red coat", "衣服", "night"], query.Terms);
        Assert.True(query.HasShortTerms);
        Assert.False(SearchQuery.Parse("咖啡馆 night").HasShortTerms);
        Assert.StartsWith("The search is 201 characters long", Assert.Throws<UserInputException>(() => SearchQuery.Parse(new string('a', 201))).Message);
    }
}
