using Narrator.Model.Exports;
using Narrator.Model.Templates;

namespace Narrator.Model.Tests.Exports;

public class SegmentOutputProcessorTests
{
    private static NarrationSegment Segment(string text) => new() { Index = 0, StartSeconds = 0, EndSeconds = 10, Text = text };

    [Fact]
    public void A_tags_template_turns_the_text_into_the_cleaned_tag_list()
    {
        var template = TemplateCatalogue.BuiltIn.Get("tags");
        string answer = "Night, city, Night, neon lights, rain";

        var finished = SegmentOutputProcessor.For(template)(Segment(answer));

        Assert.Equal(ProcessedOutput.For(template, answer).Tags!.Tags, finished.Tags);
        Assert.Equal(answer, finished.Text);
        Assert.NotEmpty(finished.Tags!);
    }

    [Fact]
    public void A_json_template_keeps_the_extracted_object()
    {
        var template = TemplateCatalogue.BuiltIn.Templates.First(t => t.Output == TemplateOutputKind.Json);
        string answer = "```json\n{\"shot_type\": \"close-up\", \"lighting\": \"低调照明\",}\n```";

        var finished = SegmentOutputProcessor.For(template)(Segment(answer));

        Assert.Equal("低调照明", finished.Json!.Value.GetProperty("lighting").GetString());
        Assert.Equal(answer, finished.Text);
    }

    [Fact]
    public void Unparseable_json_keeps_only_the_raw_text()
    {
        var template = TemplateCatalogue.BuiltIn.Templates.First(t => t.Output == TemplateOutputKind.Json);

        var finished = SegmentOutputProcessor.For(template)(Segment("I cannot describe this clip."));

        Assert.Null(finished.Json);
        Assert.Equal("I cannot describe this clip.", finished.Text);
    }

    [Fact]
    public void Prose_passes_through_unchanged()
    {
        var segment = Segment("一位男子走进房间。");

        Assert.Same(segment, SegmentOutputProcessor.For(TemplateCatalogue.BuiltIn.Default)(segment));
    }
}
