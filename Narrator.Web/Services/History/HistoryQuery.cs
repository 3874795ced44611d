namespace Narrator.Web.Services.History;

/// <summary>Which ended narrations (completed, failed, interrupted) to list, newest first.</summary>
public sealed record HistoryQuery
{
    public const int MaxLimit = 100;

    /// <summary>At most this many (capped at <see cref="MaxLimit"/>).</summary>
    public int Limit { get; init; } = 20;

    /// <summary>Only narrations that finished before this time (for paging).</summary>
    public DateTimeOffset? Before { get; init; }

    public string? ClipId { get; init; }

    public string? Template { get; init; }

    /// <summary>Completed, failed or interrupted; null lists them all.</summary>
    public Narrations.NarrationState? State { get; init; }

    /// <summary>Only this visitor's narrations; null lists everyone's (the admin key, tests).</summary>
    public Queue.NarrationOwner? Owner { get; init; }
}
