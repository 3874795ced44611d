namespace Narrator.Model.Templates;

/// <summary>
/// A prompt template: what the person picks in the UI or passes as <c>template</c> to the API. The prompt is the user
/// turn's text after the video block; defaults sit between Narrator's defaults and the person's overrides.
/// </summary>
public sealed record PromptTemplate
{
    public required string Id { get; init; }

    public required LocalizedText Name { get; init; }

    public required LocalizedText Description { get; init; }

    public required string Prompt { get; init; }

    public TemplateOutputKind Output { get; init; } = TemplateOutputKind.Prose;

    public TemplateOptions Defaults { get; init; } = TemplateOptions.None;

    /// <summary>Clean-up of a tags answer; only used when <see cref="Output"/> is tags.</summary>
    public TagOptions? Tags { get; init; }

    public const string BuiltInSource = "built-in";
    public const string CustomSource = "custom";

    /// <summary>Where the template came from: "built-in", a file path, or "custom" for a visitor's own.</summary>
    public string Source { get; init; } = BuiltInSource;

    /// <summary>
    /// The prompt text to send. Extra instructions from the person (e.g. "focus on the woman in red") are appended as
    /// their own paragraph, so the template's wording (which a fine-tuned model may have been trained on) stays intact.
    /// </summary>
    public string Render(string? extraInstructions = null) =>
        string.IsNullOrWhiteSpace(extraInstructions) ? Prompt : $"{Prompt}\n\n{extraInstructions.Trim()}";

    /// <summary>Narrator defaults &lt; this template's defaults &lt; <paramref name="overrides"/>, validated.</summary>
    public NarrationOptions ResolveOptions(TemplateOptions? overrides = null) =>
        NarrationOptionsResolver.Resolve(Defaults, overrides);
}
