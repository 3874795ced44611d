using System.Text.Json;
using Narrator.Model.Templates;

namespace Narrator.Model.Tests.Templates;

public class StructuredCaptionParserTests
{
    public sealed record Expected(string Name, string Answer, string Status, string? Json, string? Failure, string[] Repairs, FieldProblem[] Problems);

    private static readonly List<Expected> Corpus = LoadCorpus();

    public static TheoryData<string> Names => new(Corpus.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Extracts_repairs_and_validates_model_answers_exactly(string name)
    {
        var expected = Corpus.Single(c => c.Name == name);
        var result = StructuredCaptionParser.Parse(expected.Answer);
        Assert.Equal(expected.Status, result.Status.ToString());
        Assert.Equal(expected.Json, result.Json);
        Assert.Equal(expected.Failure, result.Failure);
        Assert.Equal(expected.Repairs, result.Repairs);
        Assert.Equal(expected.Problems, result.Problems);
        Assert.Equal(expected.Answer, result.Raw);
    }

    [Fact]
    public void The_typed_caption_carries_chinese_values()
    {
        var result = StructuredCaptionParser.Parse(Corpus.Single(c => c.Name == "chinese keys and values").Answer);
        Assert.Equal(StructuredOutputStatus.Valid, result.Status);
        Assert.Equal("中景", result.Caption!.ShotType);
        Assert.Equal("缓慢推进", result.Caption.CameraMotion);
        var subject = Assert.Single(result.Caption.Subjects!);
        Assert.Equal("人物", subject.Type);
        Assert.True(subject.IsMainSubject);
    }

    [Fact]
    public void A_cut_off_answer_keeps_what_was_complete()
    {
        var result = StructuredCaptionParser.Parse(Corpus.Single(c => c.Name == "cut off inside a string value").Answer);
        Assert.Equal(StructuredOutputStatus.Incomplete, result.Status);
        Assert.Equal(2, result.Caption!.Subjects!.Count);
        Assert.Equal("a tall woman in a dark co", result.Caption.Subjects[1].Appearance);
        Assert.Null(result.Caption.Subjects[1].IsMainSubject);
        Assert.All(result.Problems, p => Assert.Equal(FieldProblemKind.Missing, p.Kind));
    }

    [Fact]
    public void Unparseable_answers_keep_the_raw_text_and_say_why()
    {
        const string answer = "The video shows a man walking a dog in the park.";
        var result = StructuredCaptionParser.Parse(answer);
        Assert.Equal(StructuredOutputStatus.Unparseable, result.Status);
        Assert.Equal(answer, result.Raw);
        Assert.Null(result.Json);
        Assert.Null(result.Caption);
        Assert.Equal("The answer holds no JSON object (no '{').", result.Failure);
    }

    [Fact]
    public void Processed_output_dispatches_on_the_template_kind()
    {
        var catalogue = TemplateCatalogue.BuiltIn;
        var tags = ProcessedOutput.For(catalogue.Get("tags"), "Beach, sunset");
        Assert.Equal(["beach", "sunset"], tags.Tags!.Tags);
        Assert.Null(tags.Structured);

        var structured = ProcessedOutput.For(catalogue.Get("structured"), Corpus[0].Answer);
        Assert.Equal(StructuredOutputStatus.Valid, structured.Structured!.Status);

        var prose = ProcessedOutput.For(catalogue.Get("cinematic-zh"), "画面中，一名男子走进房间。");
        Assert.Equal(TemplateOutputKind.Prose, prose.Kind);
        Assert.Equal("画面中，一名男子走进房间。", prose.Raw);
        Assert.Null(prose.Tags);
        Assert.Null(prose.Structured);
    }

    private static List<Expected> LoadCorpus()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "templates", "structured_answers.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.GetProperty("answers").EnumerateArray().Select(a => new Expected(
            a.GetProperty("name").GetString()!,
            a.GetProperty("answer").GetString()!,
            a.GetProperty("status").GetString()!,
            a.GetProperty("json").GetString(),
            a.GetProperty("failure").GetString(),
            a.GetProperty("repairs").EnumerateArray().Select(r => r.GetString()!).ToArray(),
            a.GetProperty("problems").EnumerateArray().Select(p => new FieldProblem(
                p.GetProperty("path").GetString()!,
                Enum.Parse<FieldProblemKind>(p.GetProperty("kind").GetString()!),
                p.GetProperty("message").GetString()!)).ToArray()))
            .ToList();
    }
}
