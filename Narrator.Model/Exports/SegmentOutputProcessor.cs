using System.Text.Json;
using Narrator.Model.Templates;

namespace Narrator.Model.Exports;

/// <summary>Applies a template's post-processor to each narrated segment: tags become a list, JSON answers an object.</summary>
public static class SegmentOutputProcessor
{
    /// <summary>The finishing step for segments narrated with <paramref name="template"/>; prose passes through unchanged.</summary>
    public static Func<NarrationSegment, NarrationSegment> For(PromptTemplate template) => segment =>
    {
        var processed = ProcessedOutput.For(template, segment.Text);
        if (processed.Tags is { } tags)
        {
            return segment with { Tags = tags.Tags };
        }
        if (processed.Structured?.Json is { } json)
        {
            using var document = JsonDocument.Parse(json);
            return segment with { Json = document.RootElement.Clone() };
        }
        return segment; // prose, or unparseable JSON: the raw text is kept, as the template contract says
    };
}
