using System.Security.Cryptography;
using System.Text;

namespace Narrator.Web.Services.Queue;

/// <summary>
/// Who something belongs to. A visitor (the random id in their cookie, hashed, so the history, logs and pages never
/// hold the cookie itself) owns their narrations, clips and templates; a client address is only a coarser key for the
/// limits that must also hold for callers who drop their cookie.
/// </summary>
public readonly record struct NarrationOwner(string Value)
{
    private const string VisitorPrefix = "visitor:";

    /// <summary>The owner key of the visitor whose cookie holds <paramref name="visitorId"/>.</summary>
    public static NarrationOwner ForVisitor(string visitorId)
    {
        ArgumentException.ThrowIfNullOrEmpty(visitorId);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(visitorId), hash);
        return new(VisitorPrefix + Convert.ToHexStringLower(hash[..16]));
    }

    public static NarrationOwner ForAddress(string? address) => new($"address:{(string.IsNullOrEmpty(address) ? "unknown" : address)}");

    /// <summary>True for a visitor's key; rows stored before visitors existed (circuit/connection/address keys) are nobody's.</summary>
    public bool IsVisitor => Value?.StartsWith(VisitorPrefix, StringComparison.Ordinal) == true;

    public override string ToString() => Value;
}
