using System.Security.Cryptography;

namespace Narrator.Web.Security;

/// <summary>
/// Headers on every response, page and API alike: a Content-Security-Policy that fits Blazor Server (scripts only from
/// this site, plus the page's one inline import map by its per-request nonce; no eval; the SignalR connection back to
/// this host; inline styles, which MudBlazor's theme and components write), <c>X-Content-Type-Options: nosniff</c> and
/// <c>Referrer-Policy: same-origin</c>.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    private static readonly object NonceKey = new();

    public Task InvokeAsync(HttpContext context)
    {
        string nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        // At send time, so responses the error handlers rewrite (they clear the headers) still carry them.
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = Policy(context.Request, nonce);
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    }

    /// <summary>The nonce this response's policy allows an inline script with (the import map); null outside a request.</summary>
    public static string? NonceOf(HttpContext? context) =>
        context?.Items.TryGetValue(NonceKey, out var nonce) == true ? nonce as string : null;

    /// <summary>The policy for one request: its WebSocket origin is this host under ws: or wss: (older browsers do not count those as 'self').</summary>
    public static string Policy(HttpRequest request, string nonce)
    {
        ArgumentNullException.ThrowIfNull(request);
        string socketOrigin = $"{(request.IsHttps ? "wss" : "ws")}://{request.Host.Value}";
        return string.Join("; ",
            "default-src 'self'",
            $"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "media-src 'self'",
            "font-src 'self' data:",
            $"connect-src 'self' {socketOrigin}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'");
    }
}
