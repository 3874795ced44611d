namespace Narrator.Web.Services.History;

/// <summary>Which finished narrations to list, newest first.</summary>
public sealed record HistoryQuery
{
    public const int MaxLimit = 100;

    /// <summary>At most this many (capped at <see cref="MaxLimit"/>).</summary>
    public int Limit { get; init; } = 20;

    /// <summary>Only narrations that finished before this time (for paging).</summary>
    public DateTimeOffset? Before { get; init; }

    public string? ClipId { get; init; }

    public string? Template { get; init; }

    /// <summary>"completed" or "failed".</summary>
    public string? State { get; init; }

    /// <summary>Only this owner's narrations (the page's own history).</summary>
    public Queue.NarrationOwner? Owner { get; init; }
}
