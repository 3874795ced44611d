namespace Narrator.Model.Templates;

/// <summary>Extra template files to load after the built-in ones (bind from configuration, e.g. Narrator:Templates).</summary>
public sealed class TemplateCatalogueOptions
{
    /// <summary>JSON files in the templates.json format; a template whose id is already known replaces the earlier one.</summary>
    public List<string> Files { get; set; } = [];
}
