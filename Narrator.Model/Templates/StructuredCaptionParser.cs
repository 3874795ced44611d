using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Narrator.Model.Templates;

/// <summary>
/// Reads the structured template's answer: extracts and repairs the JSON object (<see cref="JsonObjectRepair"/>),
/// maps key spellings (camelCase, spaces, Chinese) to the schema's names, and checks every field, saying which are
/// missing or invalid. An answer with no readable object is kept as raw text with the reason.
/// </summary>
public static class StructuredCaptionParser
{
    public static IReadOnlyList<string> SceneFields { get; } =
        ["shot_type", "shot_angle", "shot_position", "camera_motion", "environment", "lighting"];

    public static IReadOnlyList<string> SubjectFields { get; } =
        ["type", "appearance", "action", "expression", "position", "is_main_subject"];

    private static readonly Dictionary<string, string> SceneAliases = Aliases(new()
    {
        ["shot_type"] = ["shot_type", "shot_size", "shot", "景别", "镜头类型", "镜头景别", "画面景别", "景别类型"],
        ["shot_angle"] = ["shot_angle", "camera_angle", "angle", "拍摄角度", "镜头角度", "角度", "机位角度"],
        ["shot_position"] = ["shot_position", "camera_position", "position", "机位", "拍摄位置", "镜头位置", "拍摄方位"],
        ["camera_motion"] = ["camera_motion", "camera_movement", "camera_move", "motion", "运镜", "镜头运动", "摄像机运动", "相机运动", "运镜方式"],
        ["environment"] = ["environment", "setting", "scene", "background", "环境", "场景", "背景"],
        ["lighting"] = ["lighting", "light", "lights", "光线", "光照", "灯光", "照明", "光影"],
        ["subjects"] = ["subjects", "subject", "subject_list", "主体", "主体列表", "主体们", "对象"],
    });

    private static readonly Dictionary<string, string> SubjectAliases = Aliases(new()
    {
        ["type"] = ["type", "subject_type", "kind", "category", "类型", "主体类型", "种类", "类别"],
        ["appearance"] = ["appearance", "look", "description", "外观", "外貌", "外形", "外观描述"],
        ["action"] = ["action", "actions", "activity", "动作", "行为", "行动"],
        ["expression"] = ["expression", "facial_expression", "emotion", "表情", "神态", "神情"],
        ["position"] = ["position", "location", "placement", "位置", "画面位置", "所在位置"],
        ["is_main_subject"] = ["is_main_subject", "main_subject", "is_main", "is_primary", "是否主体", "是否为主体", "是否主要主体", "是否为主要主体", "主要主体"],
    });

    private static readonly JsonSerializerOptions CompactJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static StructuredOutput Parse(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var extracted = JsonObjectRepair.Extract(answer);
        if (extracted.Json is null)
        {
            return Unparseable(answer, extracted.Failure!, extracted.Repairs);
        }
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(extracted.Json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            return Unparseable(answer, $"The JSON object could not be read even after repair ({FirstSentence(ex.Message)}).", extracted.Repairs);
        }
        if (node is not JsonObject root)
        {
            return Unparseable(answer, "The answer's JSON is not an object.", extracted.Repairs);
        }

        var repairs = new List<string>(extracted.Repairs);
        var renamed = new List<string>();
        var scene = Canonical(root, SceneAliases, renamed);
        if (!HasAny(scene, SceneAliases.Values) && root.Count == 1 && root.First().Value is JsonObject inner)
        {
            repairs.Add($"took the fields out of the wrapping object \"{root.First().Key}\"");
            scene = Canonical(inner, SceneAliases, renamed);
        }

        var problems = new List<FieldProblem>();
        var output = new JsonObject();
        var caption = new StructuredCaption
        {
            ShotType = Text(scene, "shot_type", "shot_type", output, problems),
            ShotAngle = Text(scene, "shot_angle", "shot_angle", output, problems),
            ShotPosition = Text(scene, "shot_position", "shot_position", output, problems),
            CameraMotion = Text(scene, "camera_motion", "camera_motion", output, problems),
            Environment = Text(scene, "environment", "environment", output, problems),
            Lighting = Text(scene, "lighting", "lighting", output, problems),
            Subjects = Subjects(scene, output, problems, repairs, renamed),
        };
        foreach (var (key, value) in scene)
        {
            if (!output.ContainsKey(key) && !SceneAliases.ContainsValue(key))
            {
                output[key] = value?.DeepClone();
            }
        }
        if (renamed.Count > 0)
        {
            repairs.Add($"read the keys {string.Join(", ", renamed.Distinct())} as the schema's names");
        }

        return new StructuredOutput
        {
            Raw = answer,
            Status = problems.Count == 0 ? StructuredOutputStatus.Valid : StructuredOutputStatus.Incomplete,
            Caption = caption,
            Json = output.ToJsonString(CompactJson),
            Repairs = repairs,
            Problems = problems,
        };
    }

    private static List<SubjectCaption>? Subjects(
        List<KeyValuePair<string, JsonNode?>> scene, JsonObject output, List<FieldProblem> problems, List<string> repairs, List<string> renamed)
    {
        var value = Find(scene, "subjects");
        if (value is null)
        {
            problems.Add(new FieldProblem("subjects", FieldProblemKind.Missing, "subjects is missing."));
            return null;
        }
        if (value is JsonObject single)
        {
            repairs.Add("put the single subject object into a list");
            value = new JsonArray(single.DeepClone());
        }
        if (value is not JsonArray array)
        {
            problems.Add(new FieldProblem("subjects", FieldProblemKind.Invalid, $"subjects should be a list of objects, not {Describe(value)}."));
            return null;
        }

        var subjects = new List<SubjectCaption>();
        var outputArray = new JsonArray();
        for (int k = 0; k < array.Count; k++)
        {
            string path = $"subjects[{k}]";
            if (array[k] is not JsonObject item)
            {
                problems.Add(new FieldProblem(path, FieldProblemKind.Invalid, $"{path} should be an object, not {Describe(array[k])}."));
                continue;
            }
            var fields = Canonical(item, SubjectAliases, renamed);
            var subjectOutput = new JsonObject();
            subjects.Add(new SubjectCaption
            {
                Type = Text(fields, "type", $"{path}.type", subjectOutput, problems),
                Appearance = Text(fields, "appearance", $"{path}.appearance", subjectOutput, problems),
                Action = Text(fields, "action", $"{path}.action", subjectOutput, problems),
                Expression = Text(fields, "expression", $"{path}.expression", subjectOutput, problems),
                Position = Text(fields, "position", $"{path}.position", subjectOutput, problems),
                IsMainSubject = Flag(fields, "is_main_subject", $"{path}.is_main_subject", subjectOutput, problems, repairs),
            });
            foreach (var (key, extra) in fields)
            {
                if (!subjectOutput.ContainsKey(key) && !SubjectAliases.ContainsValue(key))
                {
                    subjectOutput[key] = extra?.DeepClone();
                }
            }
            outputArray.Add(subjectOutput);
        }
        output["subjects"] = outputArray;
        return subjects;
    }

    private static string? Text(List<KeyValuePair<string, JsonNode?>> fields, string name, string path, JsonObject output, List<FieldProblem> problems)
    {
        var value = Find(fields, name);
        if (value is null)
        {
            problems.Add(new FieldProblem(path, FieldProblemKind.Missing, $"{path} is missing."));
            return null;
        }
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            string text = v.GetValue<string>().Trim();
            output[name] = text;
            if (text.Length == 0)
            {
                problems.Add(new FieldProblem(path, FieldProblemKind.Invalid, $"{path} is empty."));
                return null;
            }
            return text;
        }
        output[name] = value.DeepClone();
        problems.Add(new FieldProblem(path, FieldProblemKind.Invalid, $"{path} should be text, not {Describe(value)}."));
        return null;
    }

    private static bool? Flag(
        List<KeyValuePair<string, JsonNode?>> fields, string name, string path, JsonObject output, List<FieldProblem> problems, List<string> repairs)
    {
        var value = Find(fields, name);
        if (value is null)
        {
            problems.Add(new FieldProblem(path, FieldProblemKind.Missing, $"{path} is missing."));
            return null;
        }
        if (value is JsonValue v)
        {
            switch (v.GetValueKind())
            {
                case JsonValueKind.True:
                    output[name] = true;
                    return true;
                case JsonValueKind.False:
                    output[name] = false;
                    return false;
                case JsonValueKind.String:
                    bool? parsed = v.GetValue<string>().Trim().ToLowerInvariant() switch
                    {
                        "true" or "yes" or "y" or "是" or "是的" or "主要" => true,
                        "false" or "no" or "n" or "否" or "不是" or "次要" => false,
                        _ => null,
                    };
                    if (parsed is bool flag)
                    {
                        repairs.Add($"read {path} \"{v.GetValue<string>()}\" as {(flag ? "true" : "false")}");
                        output[name] = flag;
                        return flag;
                    }
                    break;
            }
        }
        output[name] = value.DeepClone();
        problems.Add(new FieldProblem(path, FieldProblemKind.Invalid, $"{path} should be true or false, not {Describe(value)}."));
        return null;
    }

    /// <summary>The object's properties with known spellings mapped to the schema's names (first one wins).</summary>
    private static List<KeyValuePair<string, JsonNode?>> Canonical(JsonObject obj, Dictionary<string, string> aliases, List<string> renamed)
    {
        var result = new List<KeyValuePair<string, JsonNode?>>(obj.Count);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            string name = aliases.TryGetValue(NormaliseKey(key), out var canonical) ? canonical : key;
            if (!taken.Add(name))
            {
                continue;
            }
            if (name != key && aliases.ContainsKey(NormaliseKey(key)))
            {
                renamed.Add(key);
            }
            result.Add(new(name, value));
        }
        return result;
    }

    private static JsonNode? Find(List<KeyValuePair<string, JsonNode?>> fields, string name)
    {
        foreach (var (key, value) in fields)
        {
            if (key == name)
            {
                return value;
            }
        }
        return null;
    }

    private static bool HasAny(List<KeyValuePair<string, JsonNode?>> fields, IEnumerable<string> names)
    {
        var known = new HashSet<string>(names, StringComparer.Ordinal);
        foreach (var (key, _) in fields)
        {
            if (known.Contains(key))
            {
                return true;
            }
        }
        return false;
    }

    // "shotType", "Shot Type", "shot-type" and "shot_type" are the same key.
    private static string NormaliseKey(string key)
    {
        var text = new System.Text.StringBuilder(key.Length + 4);
        string trimmed = key.Trim();
        for (int k = 0; k < trimmed.Length; k++)
        {
            char c = trimmed[k];
            if (c is ' ' or '-')
            {
                text.Append('_');
            }
            else if (char.IsUpper(c) && k > 0 && char.IsLower(trimmed[k - 1]))
            {
                text.Append('_').Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(char.ToLowerInvariant(c));
            }
        }
        return text.ToString();
    }

    private static Dictionary<string, string> Aliases(Dictionary<string, string[]> table)
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (canonical, spellings) in table)
        {
            foreach (var spelling in spellings)
            {
                aliases[spelling] = canonical;
            }
        }
        return aliases;
    }

    private static string Describe(JsonNode? value) => value switch
    {
        null => "null",
        JsonArray => "a list",
        JsonObject => "an object",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.Number => $"the number {v.ToJsonString()}",
            JsonValueKind.True or JsonValueKind.False => $"the value {v.ToJsonString()}",
            JsonValueKind.String => $"the text {v.ToJsonString(CompactJson)}",
            _ => v.ToJsonString(),
        },
        _ => "an unknown value",
    };

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }

    private static StructuredOutput Unparseable(string answer, string failure, IReadOnlyList<string> repairs) => new()
    {
        Raw = answer,
        Status = StructuredOutputStatus.Unparseable,
        Failure = failure,
        Repairs = repairs,
    };
}
