using System.Text.Json;
using Narrator.Model.Templates;

namespace Narrator.Model.Tests.Templates;

public class TagPostProcessorTests
{
    public sealed record Expected(string Name, string Answer, string[] Tags, DroppedTag[] Dropped)
    {
        public override string ToString() => Name;
    }

    private static readonly List<Expected> Corpus = LoadCorpus();

    public static TheoryData<string> Names => new(Corpus.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Cleans_model_answers_to_the_expected_tags(string name)
    {
        var expected = Corpus.Single(c => c.Name == name);
        var result = TagPostProcessor.Process(expected.Answer);
        Assert.Equal(expected.Tags, result.Tags);
        Assert.Equal(expected.Dropped, result.Dropped);
    }

    [Fact]
    public void Keeps_a_capitalised_word_inside_a_tag_and_its_capitalised_neighbour()
    {
        var result = TagPostProcessor.Process("Night Scene, Streets of Paris, Eiffel Tower, Rain, Romance");
        // Title case throughout ("Night Scene", "Streets of Paris") says nothing about proper nouns: only acronyms survive.
        Assert.Equal(["night scene", "streets of paris", "eiffel tower", "rain", "romance"], result.Tags);

        var sentenceCase = TagPostProcessor.Process("Night scene, Streets of Paris, Eiffel Tower, Rain, Paris");
        Assert.Equal(["night scene", "streets of Paris", "Eiffel Tower", "rain", "Paris"], sentenceCase.Tags);
    }

    [Fact]
    public void Alphabetical_order_and_a_count_limit_follow_the_template()
    {
        var options = new TagOptions { Order = TagOrder.Alphabetical, MaxCount = 3 };
        var result = TagPostProcessor.Process("zoom, beach, Alps, sunset, crowd", options);
        Assert.Equal(["Alps", "beach", "crowd"], result.Tags);
        Assert.Equal([new DroppedTag("sunset", "over the limit"), new DroppedTag("zoom", "over the limit")], result.Dropped);
    }

    [Fact]
    public void Word_and_length_limits_come_from_the_template()
    {
        var result = TagPostProcessor.Process("a b c, one two three four, 非常非常非常非常非常长的中文标签", new TagOptions { MaxWords = 3, MaxLength = 20 });
        Assert.Equal(["a b c"], result.Tags);
        Assert.Equal([new DroppedTag("one two three four", "too long"), new DroppedTag("非常非常非常非常非常长的中文标签", "too long")], result.Dropped);
    }

    private static List<Expected> LoadCorpus()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "templates", "tag_answers.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.GetProperty("answers").EnumerateArray().Select(a => new Expected(
            a.GetProperty("name").GetString()!,
            a.GetProperty("answer").GetString()!,
            a.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray(),
            a.GetProperty("dropped").EnumerateArray().Select(d => new DroppedTag(d.GetProperty("text").GetString()!, d.GetProperty("reason").GetString()!)).ToArray()))
            .ToList();
    }
}
