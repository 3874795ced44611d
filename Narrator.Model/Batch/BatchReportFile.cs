using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Narrator.Model.Batch;

/// <summary>
/// Reads and writes the batch results file. Every write replaces the file whole (temporary sibling + rename), so
/// stopping the run at any moment leaves the last complete state on disk for a later run to resume from.
/// </summary>
public static class BatchReportFile
{
    public static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web)
    {
        // Chinese narrations stay readable; the file is data, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static readonly JsonSerializerOptions IndentedOptions = new(SerializerOptions) { WriteIndented = true };

    public static async Task WriteAsync(string path, BatchReport report, BatchFormat format, CancellationToken cancellationToken = default)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
        string temporary = full + ".tmp";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            if (format == BatchFormat.Json)
            {
                await JsonSerializer.SerializeAsync(stream, report, IndentedOptions, cancellationToken);
                await stream.WriteAsync("\n"u8.ToArray(), cancellationToken);
            }
            else
            {
                foreach (var item in report.Items)
                {
                    await WriteLineAsync(stream, item, cancellationToken);
                }
                await WriteLineAsync(stream, new TotalsLine(report.Totals), cancellationToken);
            }
        }
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>
    /// The items of an earlier run, or none when there is no file yet. Both layouts are recognised whatever the format
    /// of this run. A file that is not a batch result is a user error rather than something to overwrite.
    /// </summary>
    public static async Task<IReadOnlyList<BatchItem>> ReadItemsAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        string text = await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }
        try
        {
            if (TryReadDocument(text, out var items))
            {
                return items;
            }
            return ReadLines(text);
        }
        catch (JsonException ex)
        {
            throw new UserInputException(
                $"The existing output '{path}' is not a Narrator batch result ({ex.Message}); move it away or choose another --out.", ex);
        }
    }

    private static bool TryReadDocument(string text, out IReadOnlyList<BatchItem> items)
    {
        items = [];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return false; // several documents: NDJSON
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("the file does not hold a JSON object");
            }
            if (document.RootElement.TryGetProperty("items", out var array))
            {
                items = array.Deserialize<List<BatchItem>>(SerializerOptions) ?? [];
                return true;
            }
            return false; // a one-line NDJSON file
        }
    }

    private static List<BatchItem> ReadLines(string text)
    {
        var items = new List<BatchItem>();
        int number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException($"line {number} is not a JSON object");
            }
            if (root.TryGetProperty("totals", out _))
            {
                continue;
            }
            if (!root.TryGetProperty("file", out _) || !root.TryGetProperty("status", out _))
            {
                throw new JsonException($"line {number} has no \"file\" and \"status\"");
            }
            items.Add(root.Deserialize<BatchItem>(SerializerOptions)!);
        }
        return items;
    }

    private static async Task WriteLineAsync<T>(Stream stream, T value, CancellationToken cancellationToken)
    {
        await JsonSerializer.SerializeAsync(stream, value, SerializerOptions, cancellationToken);
        await stream.WriteAsync("\n"u8.ToArray(), cancellationToken);
    }

    private sealed record TotalsLine(BatchTotals Totals);
}
