namespace Narrator.Model.Batch;

/// <summary>The batch results file: <c>{"items":[...],"totals":{...}}</c>.</summary>
public sealed record BatchReport
{
    public required IReadOnlyList<BatchItem> Items { get; init; }

    public required BatchTotals Totals { get; init; }
}
