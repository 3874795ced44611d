namespace Narrator.Web.Services.Queue;

/// <summary>
/// Who asks for a narration and through what: the visitor who will own it, their client address (a second, coarser
/// limit for callers who drop their cookie), and the page or hub connection that started it. Closing that connection
/// cancels only what it started, never the visitor's other tabs; the HTTP API starts narrations with no connection,
/// so they outlive the request. A page (<see cref="FollowedByPage"/>) is followed rather than owned by its tab: closing
/// or reloading the tab leaves it running for a grace period, in which a reload re-attaches (<c>NarrationQueue.Follow</c>).
/// </summary>
public sealed record NarrationCaller(NarrationOwner Owner, NarrationOwner Address, string? Connection = null)
{
    public bool FollowedByPage { get; init; }
}
