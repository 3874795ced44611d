using System.Text;
using System.Text.Json;

namespace Narrator.Model.Templates;

/// <summary>
/// Reads templates from JSON: <c>{"templates":[...]}</c> or a bare array; each template has id, name {zh,en},
/// description {zh,en}, prompt (a string, or a list of lines joined with "\n"), output, defaults and tags.
/// Errors name the file, the template and the field.
/// </summary>
public static class TemplateFile
{
    public static IReadOnlyList<PromptTemplate> Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"Cannot read the template file {path}: {ex.Message}", ex);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses and validates; <paramref name="source"/> names the file in errors and becomes each template's Source.</summary>
    public static IReadOnlyList<PromptTemplate> Parse(ReadOnlySpan<byte> utf8Json, string source)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw new UserInputException($"The template file {source} is not valid JSON ({ex.Message}).", ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            JsonElement list = root;
            if (root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("templates", out list))
            {
                throw new UserInputException($"The template file {source} has no \"templates\" array.");
            }
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new UserInputException($"The template file {source} must hold an array of templates.");
            }

            var templates = new List<PromptTemplate>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int index = 0;
            foreach (var item in list.EnumerateArray())
            {
                string where = $"template {index}";
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    where = $"template \"{id.GetString()}\"";
                }
                var template = ReadTemplate(item, source, where);
                var errors = TemplateValidator.Validate(template);
                if (errors.Count > 0)
                {
                    throw new UserInputException($"In {source}, {where}: {string.Join(" ", errors.Select(e => e.Message))}");
                }
                if (!seen.Add(template.Id))
                {
                    throw new UserInputException($"In {source}, {where} appears twice.");
                }
                templates.Add(template);
                index++;
            }
            return templates;
        }
    }

    private static PromptTemplate ReadTemplate(JsonElement item, string source, string where)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Error(source, where, "is not a JSON object.");
        }
        string? id = null;
        LocalizedText? name = null;
        LocalizedText? description = null;
        string? prompt = null;
        var output = TemplateOutputKind.Prose;
        var defaults = TemplateOptions.None;
        TagOptions? tags = null;
        foreach (var property in item.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "id":
                    id = ReadString(value, source, where, "id");
                    break;
                case "name":
                    name = ReadLocalized(value, source, where, "name");
                    break;
                case "description":
                    description = ReadLocalized(value, source, where, "description");
                    break;
                case "prompt":
                    prompt = ReadPrompt(value, source, where);
                    break;
                case "output":
                    string kind = ReadString(value, source, where, "output");
                    output = TemplateOutputKinds.Find(kind)?.Kind
                        ?? throw Error(source, where, $"has output \"{kind}\"; use {TemplateOutputKinds.NameList}.");
                    break;
                case "defaults":
                    defaults = ReadOptions(value, source, where);
                    break;
                case "tags":
                    tags = ReadTagOptions(value, source, where);
                    break;
                case "$comment":
                    break;
                default:
                    throw Error(source, where, $"has an unknown field \"{property.Name}\".");
            }
        }
        return new PromptTemplate
        {
            Id = id ?? throw Error(source, where, "has no id."),
            Name = name ?? throw Error(source, where, "has no name."),
            Description = description ?? new LocalizedText("", ""),
            Prompt = prompt ?? throw Error(source, where, "has no prompt."),
            Output = output,
            Defaults = defaults,
            Tags = tags ?? (output == TemplateOutputKind.Tags ? TagOptions.Default : null),
            Source = source,
        };
    }

    /// <summary>Reads option overrides as the API and templates.json write them (camelCase names).</summary>
    public static TemplateOptions ReadOptions(JsonElement value, string source, string where)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return TemplateOptions.None;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error(source, where, "has defaults that are not a JSON object.");
        }
        var options = TemplateOptions.None;
        foreach (var property in value.EnumerateObject())
        {
            string setting = property.Name;
            var v = property.Value;
            if (v.ValueKind == JsonValueKind.Null)
            {
                continue;
            }
            var known = NarrationSettings.Find(setting)
                ?? throw Error(source, where, $"has an unknown setting \"{setting}\" (known: {NarrationSettings.NameList}).");
            options = known.Set(options, known.IsWholeNumber ? Integer(v, source, where, setting) : Number(v, source, where, setting));
        }
        return options;
    }

    private static TagOptions ReadTagOptions(JsonElement value, string source, string where)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error(source, where, "has tags options that are not a JSON object.");
        }
        var tags = TagOptions.Default;
        foreach (var property in value.EnumerateObject())
        {
            var v = property.Value;
            tags = property.Name switch
            {
                "maxWords" => tags with { MaxWords = Integer(v, source, where, "tags.maxWords") },
                "maxLength" => tags with { MaxLength = Integer(v, source, where, "tags.maxLength") },
                "maxCount" => tags with { MaxCount = v.ValueKind == JsonValueKind.Null ? null : Integer(v, source, where, "tags.maxCount") },
                "order" => tags with
                {
                    Order = ReadString(v, source, where, "tags.order") switch
                    {
                        "asGenerated" => TagOrder.AsGenerated,
                        "alphabetical" => TagOrder.Alphabetical,
                        var other => throw Error(source, where, $"has tags.order \"{other}\"; use asGenerated or alphabetical."),
                    },
                },
                _ => throw Error(source, where, $"has an unknown tags option \"{property.Name}\"."),
            };
        }
        return tags;
    }

    private static string ReadPrompt(JsonElement value, string source, string where)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }
        if (value.ValueKind == JsonValueKind.Array)
        {
            var text = new StringBuilder();
            int line = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    throw Error(source, where, $"has prompt line {line} that is not a string.");
                }
                if (line++ > 0)
                {
                    text.Append('\n');
                }
                text.Append(item.GetString());
            }
            return text.ToString();
        }
        throw Error(source, where, "has a prompt that is neither a string nor a list of lines.");
    }

    private static LocalizedText ReadLocalized(JsonElement value, string source, string where, string field)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            string text = value.GetString()!;
            return new LocalizedText(text, text);
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error(source, where, $"has a {field} that is neither a string nor {{\"zh\": ..., \"en\": ...}}.");
        }
        string zh = value.TryGetProperty("zh", out var z) ? ReadString(z, source, where, field + ".zh") : "";
        string en = value.TryGetProperty("en", out var e) ? ReadString(e, source, where, field + ".en") : "";
        return new LocalizedText(zh, en);
    }

    private static string ReadString(JsonElement value, string source, string where, string field) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Error(source, where, $"has a {field} that is not a string.");

    private static double Number(JsonElement value, string source, string where, string setting) =>
        value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw Error(source, where, $"has {setting} that is not a number.");

    private static int Integer(JsonElement value, string source, string where, string setting) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int result)
            ? result
            : throw Error(source, where, $"has {setting} that is not a whole number.");

    private static UserInputException Error(string source, string where, string problem) => new($"In {source}, {where} {problem}");
}
