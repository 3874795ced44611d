using System.Globalization;
using System.Text.Json;
using Narrator.Model;

namespace Narrator.Cli.Commands;

/// <summary>Reads token ids from a file written as JSON <c>{"ids":[...]}</c>, a JSON array, or whitespace-separated integers.</summary>
internal static class IdsFile
{
    public static async Task<int[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(ex is FileNotFoundException or DirectoryNotFoundException
                ? $"The ids file {path} does not exist."
                : $"Cannot read the ids file {path}: {ex.Message}", ex);
        }
        return Parse(text, path);
    }

    public static int[] Parse(string text, string source)
    {
        var trimmed = text.AsSpan().Trim();
        try
        {
            if (trimmed.StartsWith("{") || trimmed.StartsWith("["))
            {
                using var doc = JsonDocument.Parse(trimmed.ToString());
                var array = doc.RootElement;
                if (array.ValueKind == JsonValueKind.Object)
                {
                    if (!array.TryGetProperty("ids", out array))
                    {
                        throw Invalid(source, "the JSON object has no \"ids\" property");
                    }
                }
                if (array.ValueKind != JsonValueKind.Array)
                {
                    throw Invalid(source, "\"ids\" is not an array");
                }
                var ids = new int[array.GetArrayLength()];
                int k = 0;
                foreach (var item in array.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int id) || id < 0)
                    {
                        throw Invalid(source, $"item {k} ({item.GetRawText()}) is not a non-negative integer");
                    }
                    ids[k++] = id;
                }
                return ids;
            }
        }
        catch (JsonException ex)
        {
            throw Invalid(source, $"it looks like JSON but does not parse ({ex.Message})");
        }

        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var result = new int[words.Length];
        for (int k = 0; k < words.Length; k++)
        {
            if (!int.TryParse(words[k], NumberStyles.None, CultureInfo.InvariantCulture, out result[k]))
            {
                throw Invalid(source, $"\"{Shorten(words[k])}\" is not a non-negative integer");
            }
        }
        return result;
    }

    private static UserInputException Invalid(string source, string detail) =>
        new($"The ids file {source} is not JSON {{\"ids\":[...]}}, a JSON array or whitespace-separated integers: {detail}.");

    private static string Shorten(string word) => word.Length > 20 ? word[..20] + "…" : word;
}
