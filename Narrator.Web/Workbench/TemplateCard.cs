using Narrator.Web.Localization;

namespace Narrator.Web.Workbench;

/// <summary>How a template's answer is shown: running text, a row of tag chips, or a field table.</summary>
public enum TemplateOutputKind
{
    Prose,
    Tags,
    Json,
}

/// <summary>A prompt template as the picker shows it: name, one-line explanation in both languages, its prompt and output kind.</summary>
public sealed record TemplateCard(
    string Id,
    LocalizedText Name,
    LocalizedText Description,
    string Prompt,
    TemplateOutputKind OutputKind);
