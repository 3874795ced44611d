using System.Text.Json;

namespace Narrator.Web.Workbench;

/// <summary>One line of a structured (JSON) narration shown as a table: a readable field path and its value.</summary>
public sealed record StructuredRow(string Field, string Value);

/// <summary>Flattens a JSON narration into table rows: nested objects become "a · b", array items "a 1 · b" (counting from 1).</summary>
public static class StructuredRows
{
    private const string Separator = " · ";

    /// <summary>Rows of a JSON document given as text; an empty list when it is not JSON.</summary>
    public static IReadOnlyList<StructuredRow> Flatten(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return Flatten(document.RootElement);
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public static IReadOnlyList<StructuredRow> Flatten(JsonElement root)
    {
        var rows = new List<StructuredRow>();
        Add(rows, "", root);
        return rows;
    }

    private static void Add(List<StructuredRow> rows, string path, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    Add(rows, Join(path, Humanize(property.Name)), property.Value);
                }
                break;
            case JsonValueKind.Array:
                if (IsListOfScalars(element))
                {
                    rows.Add(new StructuredRow(path, string.Join(", ", element.EnumerateArray().Select(Scalar))));
                    break;
                }
                int index = 1;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Add(rows, path.Length == 0 ? $"{index}" : $"{path} {index}", item);
                    index++;
                }
                break;
            default:
                rows.Add(new StructuredRow(path, Scalar(element)));
                break;
        }
    }

    private static bool IsListOfScalars(JsonElement array)
    {
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                return false;
            }
        }
        return true;
    }

    private static string Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString() ?? "",
        JsonValueKind.Null or JsonValueKind.Undefined => "—",
        _ => element.GetRawText(),
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : path + Separator + name;

    // "shot_type" and "shotType" both read as "shot type".
    private static string Humanize(string name)
    {
        var chars = new List<char>(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c is '_' or '-')
            {
                chars.Add(' ');
            }
            else if (char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1]))
            {
                chars.Add(' ');
                chars.Add(char.ToLowerInvariant(c));
            }
            else
            {
                chars.Add(c);
            }
        }
        return new string(chars.ToArray());
    }
}
