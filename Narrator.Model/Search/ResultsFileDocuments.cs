using System.Text;
using System.Text.Json;
using Narrator.Model.Batch;
using Narrator.Model.Exports;

namespace Narrator.Model.Search;

/// <summary>
/// The searchable texts in a file Narrator wrote: a batch's results (JSON or NDJSON) or a narration export (JSON or
/// NDJSON) — each narration, each segment of a long video, and each translation of either.
/// </summary>
public static class ResultsFileDocuments
{
    public static async Task<IReadOnlyList<SearchDocument>> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            throw new UserInputException($"{path} is a folder; give the results file a batch wrote (--out) or an exported .json/.ndjson.");
        }
        if (!File.Exists(path))
        {
            throw new UserInputException($"File not found: {path}.");
        }
        string text = await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        try
        {
            return Read(text);
        }
        catch (JsonException ex)
        {
            throw new UserInputException($"{Path.GetFileName(path)} is not a Narrator results or export file ({ex.Message}).", ex);
        }
    }

    public static IReadOnlyList<SearchDocument> Read(string text)
    {
        var documents = new List<SearchDocument>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return documents;
        }
        JsonDocument? whole = null;
        try
        {
            whole = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            // Several documents: NDJSON, read line by line below.
        }
        if (whole is not null)
        {
            using (whole)
            {
                AddObject(whole.RootElement, documents, lineNumber: null);
            }
            return documents;
        }
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            if (raw.Trim() is { Length: > 0 } line)
            {
                using var document = JsonDocument.Parse(line);
                AddObject(document.RootElement, documents, number);
            }
        }
        return documents;
    }

    private static void AddObject(JsonElement root, List<SearchDocument> documents, int? lineNumber)
    {
        string where = lineNumber is { } n ? $"line {n}" : "the document";
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"{where} is not a JSON object");
        }
        if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.Deserialize<List<BatchItem>>(BatchReportFile.SerializerOptions) ?? [])
            {
                AddBatchItem(item, documents);
            }
        }
        else if (root.TryGetProperty("totals", out _))
        {
            // The last line of an NDJSON batch file: figures, no text.
        }
        else if (root.TryGetProperty("file", out _) && root.TryGetProperty("status", out _))
        {
            AddBatchItem(root.Deserialize<BatchItem>(BatchReportFile.SerializerOptions)!, documents);
        }
        else if (root.TryGetProperty("segments", out var segments) && root.TryGetProperty("video", out var video))
        {
            var narration = segments.Deserialize<List<NarrationSegment>>(BatchReportFile.SerializerOptions) ?? [];
            bool whole = root.TryGetProperty("segmentation", out var method) && method.ValueKind == JsonValueKind.String && method.GetString() == "whole";
            string name = video.GetString() ?? "";
            AddSegments(name, name, narration, whole && narration.Count == 1, documents);
        }
        else if (root.TryGetProperty("video", out var lineVideo) && root.TryGetProperty("text", out _) && root.TryGetProperty("index", out _))
        {
            var segment = root.Deserialize<NarrationSegment>(BatchReportFile.SerializerOptions)!;
            string name = lineVideo.GetString() ?? "";
            AddSegments(name, name, [segment], whole: false, documents);
        }
        else
        {
            throw new JsonException($"{where} is neither a batch result nor a narration export");
        }
    }

    private static void AddBatchItem(BatchItem item, List<SearchDocument> documents)
    {
        if (!item.IsOk)
        {
            return;
        }
        if (item.Segments is { } segments)
        {
            AddSegments(item.File, item.File, segments, whole: false, documents);
            return;
        }
        string text = item.Tags is { Count: > 0 } tags ? string.Join(", ", tags) : item.Text ?? "";
        Add(documents, new SearchDocument { NarrationId = item.File, Video = item.File, Kind = SearchKinds.Narration, Text = text });
        foreach (var (language, translated) in item.Translations ?? new Dictionary<string, string>())
        {
            Add(documents, new SearchDocument { NarrationId = item.File, Video = item.File, Kind = SearchKinds.Translation, Language = language, Text = translated });
        }
    }

    private static void AddSegments(string id, string video, IReadOnlyList<NarrationSegment> segments, bool whole, List<SearchDocument> documents)
    {
        foreach (var segment in segments)
        {
            if (segment.Error is not null)
            {
                continue;
            }
            var located = new SearchDocument
            {
                NarrationId = id,
                Video = video,
                Kind = whole ? SearchKinds.Narration : SearchKinds.Segment,
                SegmentIndex = whole ? null : segment.Index,
                StartSeconds = whole ? null : segment.StartSeconds,
                EndSeconds = whole ? null : segment.EndSeconds,
                Text = segment.DisplayText,
            };
            Add(documents, located);
            foreach (var (language, translated) in segment.Translations ?? new Dictionary<string, string>())
            {
                Add(documents, located with { Kind = SearchKinds.Translation, Language = language, Text = translated });
            }
        }
    }

    private static void Add(List<SearchDocument> documents, SearchDocument document)
    {
        if (!string.IsNullOrWhiteSpace(document.Text))
        {
            documents.Add(document);
        }
    }
}
