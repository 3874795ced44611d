using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Narrator.Web.Api;

/// <summary>
/// Sentences for requests the framework could not bind: the field in words and what it must be ("In the JSON body,
/// maxNewTokens must be a whole number."), never a .NET type name such as <c>System.Nullable`1[System.Int32]</c>.
/// </summary>
internal static partial class BindingErrors
{
    public static string Describe(BadHttpRequestException exception, Type? bodyType)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception.InnerException is JsonException json)
        {
            return DescribeJson(json, bodyType);
        }
        if (FailedToBind().Match(exception.Message) is { Success: true } bind)
        {
            return $"{bind.Groups["name"].Value} must be {InWords(bind.Groups["type"].Value)} (got \"{bind.Groups["value"].Value}\").";
        }
        if (NotProvided().Match(exception.Message) is { Success: true } missing)
        {
            return missing.Groups["source"].Value == "body"
                ? "The request needs a JSON object in its body."
                : $"{missing.Groups["name"].Value} is required.";
        }
        if (exception.Message.Contains("no body was provided", StringComparison.Ordinal))
        {
            return "The request needs a JSON object in its body.";
        }
        if (exception.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return "Send the body as JSON with the header Content-Type: application/json.";
        }
        return "The request could not be read: " + WithoutTypeNames(exception.Message);
    }

    /// <summary>A JSON body that did not parse, or a value of the wrong kind, named by its path in the body.</summary>
    public static string DescribeJson(JsonException json, Type? bodyType)
    {
        ArgumentNullException.ThrowIfNull(json);
        string field = json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "";
        if (json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) && field.Length > 0)
        {
            var type = bodyType is null ? null : FieldType(bodyType, field);
            return type is null
                ? $"In the JSON body, {field} has a value of the wrong kind."
                : $"In the JSON body, {field} must be {InWords(type)}.";
        }
        if (json.Message.Contains("does not contain any JSON tokens", StringComparison.Ordinal))
        {
            return "The request body is empty; send a JSON object.";
        }
        string where = json.LineNumber is { } line && json.BytePositionInLine is { } column
            ? $" (line {line + 1}, character {column + 1})"
            : "";
        return $"The JSON body is not valid JSON{where}: it ends too early or has a syntax error there.";
    }

    /// <summary>The type of the member at a dotted JSON path ("defaults.temperature") in <paramref name="root"/>, matched as the serializer does (case-insensitively).</summary>
    private static Type? FieldType(Type root, string path)
    {
        Type? current = root;
        foreach (string part in path.Split('.'))
        {
            string name = part.Split('[')[0];
            var property = current?.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => string.Equals(p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                return null;
            }
            current = property.PropertyType;
        }
        return current;
    }

    private static string InWords(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            var names = type.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(f.Name));
            return "one of " + string.Join(", ", names.Select(n => $"\"{n}\""));
        }
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32
                or TypeCode.Int64 or TypeCode.UInt64 => "a whole number",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
            TypeCode.Boolean => "true or false",
            TypeCode.String => "a string",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time such as 2025-01-31T12:00:00Z",
            _ => "an object with the documented fields",
        };
    }

    /// <summary>The framework's own wording of a parameter type ("Nullable&lt;int&gt;", "DateTimeOffset?") in words.</summary>
    private static string InWords(string typeName)
    {
        string name = typeName.Replace("Nullable<", "", StringComparison.Ordinal).TrimEnd('>', '?');
        return name switch
        {
            "int" or "long" or "short" or "Int32" or "Int64" or "Int16" or "uint" or "ulong" => "a whole number",
            "double" or "float" or "decimal" or "Double" or "Single" or "Decimal" => "a number",
            "bool" or "Boolean" => "true or false",
            "DateTimeOffset" or "DateTime" => "a date and time such as 2025-01-31T12:00:00Z",
            _ => "a valid value",
        };
    }

    private static string WithoutTypeNames(string message) => TypeName().Replace(message, "value");

    [GeneratedRegex("^Failed to bind parameter \"(?<type>.+) (?<name>[^ \"]+)\" from \"(?<value>.*)\"\\.$", RegexOptions.CultureInvariant)]
    private static partial Regex FailedToBind();

    [GeneratedRegex("^Required parameter \"(?<type>.+) (?<name>[^ \"]+)\" was not provided from (?<source>[a-z ]+)\\.$", RegexOptions.CultureInvariant)]
    private static partial Regex NotProvided();

    [GeneratedRegex(@"System\.[A-Za-z0-9_.`\[\], ]+", RegexOptions.CultureInvariant)]
    private static partial Regex TypeName();
}
