namespace Narrator.Model.Templates;

/// <summary>
/// The prompt templates on offer: the built-in ones (Templates/templates.json, shipped inside the library) and any
/// configured extra files, in order; a later template with the same id replaces the earlier one. Immutable.
/// </summary>
public sealed class TemplateCatalogue
{
    public const string DefaultTemplateId = "cinematic-zh";

    private const string BuiltInResource = "Narrator.Model.Templates.templates.json";

    private static readonly Lazy<TemplateCatalogue> BuiltInCatalogue = new(LoadBuiltIn);

    private readonly List<PromptTemplate> _templates;
    private readonly Dictionary<string, PromptTemplate> _byId;

    public TemplateCatalogue(IEnumerable<PromptTemplate> templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        _templates = [];
        _byId = new Dictionary<string, PromptTemplate>(StringComparer.Ordinal);
        foreach (var template in templates)
        {
            if (_byId.TryGetValue(template.Id, out var earlier))
            {
                _templates[_templates.IndexOf(earlier)] = template;
            }
            else
            {
                _templates.Add(template);
            }
            _byId[template.Id] = template;
        }
    }

    /// <summary>The templates shipped with Narrator.</summary>
    public static TemplateCatalogue BuiltIn => BuiltInCatalogue.Value;

    public IReadOnlyList<PromptTemplate> Templates => _templates;

    /// <summary>The template used when none is named (cinematic-zh, the prompt Qwen-VL-Narrator was trained on).</summary>
    public PromptTemplate Default => _byId.TryGetValue(DefaultTemplateId, out var template) ? template : _templates[0];

    /// <summary>The built-in templates plus those in the configured files.</summary>
    public static TemplateCatalogue Load(TemplateCatalogueOptions? options)
    {
        if (options is null || options.Files.Count == 0)
        {
            return BuiltIn;
        }
        var templates = new List<PromptTemplate>(BuiltIn.Templates);
        foreach (var file in options.Files)
        {
            templates.AddRange(TemplateFile.Load(file));
        }
        return new TemplateCatalogue(templates);
    }

    /// <summary>This catalogue with more templates (e.g. a visitor's own) added or replacing same-id ones.</summary>
    public TemplateCatalogue With(IEnumerable<PromptTemplate> more) => new([.. _templates, .. more]);

    public bool TryGet(string id, out PromptTemplate template) => _byId.TryGetValue(id, out template!);

    /// <summary>The template with this id, or a clear error listing the known ids.</summary>
    public PromptTemplate Get(string id)
    {
        if (TryGet(id, out var template))
        {
            return template;
        }
        throw new UserInputException($"There is no template \"{id}\"; known templates: {string.Join(", ", _templates.Select(t => t.Id))}.");
    }

    private static TemplateCatalogue LoadBuiltIn()
    {
        using var stream = typeof(TemplateCatalogue).Assembly.GetManifestResourceStream(BuiltInResource)
            ?? throw new InvalidOperationException("Narrator.Model was built without its templates.json resource.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return new TemplateCatalogue(TemplateFile.Parse(buffer.ToArray(), PromptTemplate.BuiltInSource));
    }
}
