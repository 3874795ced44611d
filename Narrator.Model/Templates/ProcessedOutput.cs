namespace Narrator.Model.Templates;

/// <summary>A finished answer as its template's output kind shapes it: prose as text, tags as a list, JSON as a checked object.</summary>
public sealed record ProcessedOutput
{
    public required TemplateOutputKind Kind { get; init; }

    /// <summary>The model's text, unchanged.</summary>
    public required string Raw { get; init; }

    public TagList? Tags { get; init; }

    public StructuredOutput? Structured { get; init; }

    /// <summary>Post-processes a finished answer for <paramref name="template"/>.</summary>
    public static ProcessedOutput For(PromptTemplate template, string answer)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(answer);
        return template.Output switch
        {
            TemplateOutputKind.Tags => new() { Kind = template.Output, Raw = answer, Tags = TagPostProcessor.Process(answer, template.Tags) },
            TemplateOutputKind.Json => new() { Kind = template.Output, Raw = answer, Structured = StructuredCaptionParser.Parse(answer) },
            _ => new() { Kind = template.Output, Raw = answer },
        };
    }
}
