namespace Narrator.Model.Batch;

/// <summary>How the batch results file is written.</summary>
public enum BatchFormat
{
    /// <summary>One document <c>{"items":[...],"totals":{...}}</c>.</summary>
    Json,

    /// <summary>One item per line, then a last line <c>{"totals":{...}}</c>.</summary>
    Ndjson,
}

public static class BatchFormats
{
    public static BatchFormat Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "json" => BatchFormat.Json,
        "ndjson" or "jsonl" => BatchFormat.Ndjson,
        _ => throw new UserInputException($"Unknown batch output format '{name}'; use json or ndjson."),
    };
}
