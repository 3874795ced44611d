namespace Narrator.Web.Services.Queue;

/// <summary>
/// Who a request belongs to, for the per-owner limit and for cancelling everything when they leave:
/// a Blazor circuit, a SignalR connection, or the client address for the HTTP API.
/// </summary>
public readonly record struct NarrationOwner(string Value)
{
    public static NarrationOwner ForCircuit(string circuitId) => new($"circuit:{circuitId}");

    public static NarrationOwner ForConnection(string connectionId) => new($"connection:{connectionId}");

    public static NarrationOwner ForAddress(string? address) => new($"address:{(string.IsNullOrEmpty(address) ? "unknown" : address)}");

    public override string ToString() => Value;
}
