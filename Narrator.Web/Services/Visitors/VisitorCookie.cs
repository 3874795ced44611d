using System.Security.Cryptography;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Visitors;

/// <summary>
/// Gives every browser and HTTP client a visitor id: 128 random bits in an HttpOnly, SameSite=Lax cookie (Secure over
/// HTTPS) that lasts 400 days, so reloads, tabs and server restarts are the same visitor. A request without a valid
/// cookie gets a fresh one in its response (an HTTP client keeps it with <c>curl -c jar -b jar</c>).
/// </summary>
public sealed class VisitorCookie(RequestDelegate next)
{
    public const string CookieName = "narrator-visitor";

    /// <summary>Browsers cap cookie lifetimes at 400 days.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(400);

    private static readonly object OwnerKey = new();

    public Task InvokeAsync(HttpContext context)
    {
        string? id = context.Request.Cookies[CookieName];
        if (!IsValidId(id))
        {
            id = NewId();
            string issued = id;
            // At send time, so a response the error handler rewrote still carries it.
            context.Response.OnStarting(() =>
            {
                context.Response.Cookies.Append(CookieName, issued, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Lax,
                    Secure = context.Request.IsHttps,
                    Path = "/",
                    MaxAge = Lifetime,
                    IsEssential = true,
                });
                return Task.CompletedTask;
            });
        }
        context.Items[OwnerKey] = NarrationOwner.ForVisitor(id);
        return next(context);
    }

    /// <summary>
    /// The visitor this request is from (the cookie it sent, or the one its response issues). A context the middleware
    /// did not see (SignalR's copy of a long-polling connection's first request) is read from its cookie.
    /// </summary>
    public static NarrationOwner OwnerOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(OwnerKey, out var owner) && owner is NarrationOwner visitor)
        {
            return visitor;
        }
        string? id = context.Request.Cookies[CookieName];
        return IsValidId(id)
            ? NarrationOwner.ForVisitor(id)
            : throw new InvalidOperationException("The visitor cookie middleware did not run for this request and it carries no visitor cookie.");
    }

    /// <summary>The caller of an HTTP request or hub connection: its visitor, its address, and the connection if it has one.</summary>
    public static NarrationCaller CallerOf(HttpContext context, string? connection = null) =>
        new(OwnerOf(context), NarrationOwner.ForAddress(context.Connection.RemoteIpAddress?.ToString()), connection);

    /// <summary>32 lower-case hex digits (128 bits); anything else is treated as no cookie.</summary>
    public static bool IsValidId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
