using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Visitors;

/// <summary>
/// The visitor a page acts for (scoped: one per Blazor circuit, or per prerendering request). The root component sets
/// it from the request that loaded the page, so the circuit is the same visitor as the cookie; <see cref="Connection"/>
/// is this page's own handle, so closing the tab cancels only what this tab started.
/// </summary>
public sealed class CircuitVisitor
{
    private NarrationOwner? owner;

    /// <summary>The visitor; a page that was never told (a component test) acts as a fresh visitor of its own.</summary>
    public NarrationOwner Owner => owner ??= NarrationOwner.ForVisitor(VisitorCookie.NewId());

    /// <summary>The client address the page was loaded from (for the per-address limits).</summary>
    public NarrationOwner Address { get; private set; } = NarrationOwner.ForAddress(null);

    public string Connection { get; } = "circuit:" + Guid.NewGuid().ToString("N");

    /// <summary>Narrations this page starts are followed by it, not tied to it: a reload within the grace period re-attaches.</summary>
    public NarrationCaller Caller => new(Owner, Address, Connection) { FollowedByPage = true };

    /// <summary>Called once by the root component with what the page's request said (owner key and address).</summary>
    public void Set(string ownerKey, string? address)
    {
        if (!string.IsNullOrEmpty(ownerKey))
        {
            owner = new NarrationOwner(ownerKey);
        }
        if (!string.IsNullOrEmpty(address))
        {
            Address = new NarrationOwner(address);
        }
    }
}
