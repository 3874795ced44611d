using System.Reflection;
using System.Text.Json.Serialization;

namespace Narrator.Model.Templates;

/// <summary>What one template output kind means to every piece that handles answers of that kind.</summary>
public sealed record TemplateOutputKindInfo
{
    public required TemplateOutputKind Kind { get; init; }

    /// <summary>The name in templates.json and the HTTP API: the enum member's JSON name, so it is written once.</summary>
    public string Name => JsonName(Kind);

    /// <summary>The badge a template of this kind wears in the picker (and the name its parsed view is read out by); null for none.</summary>
    public LocalizedText? Label { get; init; }

    /// <summary>The line of the translation prompt that says how to keep this kind's layout.</summary>
    public required string TranslationLayout { get; init; }

    /// <summary>True when a finished answer is read into a structure (a list, an object) that can fail to parse.</summary>
    public bool IsParsed { get; init; }

    /// <summary>The post-processor: a finished answer of this kind read the way <paramref name="template"/> says.</summary>
    public required Func<PromptTemplate, string, ProcessedOutput> Process { get; init; }

    private static string JsonName(TemplateOutputKind kind) =>
        typeof(TemplateOutputKind).GetField(kind.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
        ?? throw new InvalidOperationException($"TemplateOutputKind.{kind} declares no JSON name.");
}

/// <summary>
/// The registry of template output kinds: a new kind is one <see cref="TemplateOutputKind"/> member and one entry here
/// (plus its view on the page, if it has one). Parsing templates, post-processing answers, translation prompts and the
/// picker's badge all read it.
/// </summary>
public static class TemplateOutputKinds
{
    /// <summary>Every kind, in the order they are listed to people.</summary>
    public static IReadOnlyList<TemplateOutputKindInfo> All { get; } =
    [
        new()
        {
            Kind = TemplateOutputKind.Prose,
            TranslationLayout = "- Keep the layout: the same paragraphs and line breaks, in the same order.",
            Process = (template, answer) => new() { Kind = template.Output, Raw = answer },
        },
        new()
        {
            Kind = TemplateOutputKind.Tags,
            Label = new("标签", "tags"),
            TranslationLayout = "- The text is a comma-separated list of tags: answer with the same number of tags, in the same order, separated by commas.",
            IsParsed = true,
            Process = (template, answer) => new() { Kind = template.Output, Raw = answer, Tags = TagPostProcessor.Process(answer, template.Tags) },
        },
        new()
        {
            Kind = TemplateOutputKind.Json,
            Label = new("JSON", "JSON"),
            TranslationLayout = "- The text is a JSON object: keep its keys, brackets, quotes and commas exactly, and translate only the text inside the string values.",
            IsParsed = true,
            Process = (template, answer) => new() { Kind = template.Output, Raw = answer, Structured = StructuredCaptionParser.Parse(answer) },
        },
    ];

    private static readonly Dictionary<TemplateOutputKind, TemplateOutputKindInfo> ByKind = All.ToDictionary(info => info.Kind);

    /// <summary>Names as templates.json writes them, in listing order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(info => info.Name)];

    /// <summary>"prose, tags or json": the names as an error message lists them.</summary>
    public static string NameList { get; } = Names.Count == 1 ? Names[0] : $"{string.Join(", ", Names.Take(Names.Count - 1))} or {Names[^1]}";

    /// <summary>The registered kind; an enum value nobody registered is a programming error.</summary>
    public static TemplateOutputKindInfo Of(TemplateOutputKind kind) =>
        ByKind.TryGetValue(kind, out var info) ? info : throw new ArgumentOutOfRangeException(nameof(kind), kind, "This template output kind is not registered.");

    /// <summary>True when <paramref name="kind"/> is a registered kind (a value read from outside may be any number).</summary>
    public static bool IsRegistered(TemplateOutputKind kind) => ByKind.ContainsKey(kind);

    /// <summary>The kind templates.json calls <paramref name="name"/> (exact, lower case), or null.</summary>
    public static TemplateOutputKindInfo? Find(string? name) => All.FirstOrDefault(info => info.Name == name);
}
