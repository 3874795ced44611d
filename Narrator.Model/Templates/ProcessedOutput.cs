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
        return TemplateOutputKinds.Of(template.Output).Process(template, answer);
    }
}
