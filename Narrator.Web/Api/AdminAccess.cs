using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Narrator.Web.Api;

/// <summary>The optional operator key, under <c>Narrator:Admin</c>: with it a request may list and delete every visitor's narrations (moderation).</summary>
public sealed class AdminOptions
{
    public const string Section = "Narrator:Admin";

    public const int MinKeyLength = 16;

    /// <summary>Sent in the <see cref="AdminAccess.HeaderName"/> header; empty (the default) turns admin access off.</summary>
    public string? ApiKey { get; set; }
}

/// <summary>Fails start-up when an admin key is set but too short to be a secret.</summary>
internal sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options) =>
        string.IsNullOrEmpty(options.ApiKey) || options.ApiKey.Length >= AdminOptions.MinKeyLength
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{AdminOptions.Section}:ApiKey is {options.ApiKey.Length} characters long; use at least {AdminOptions.MinKeyLength} random characters, or leave it empty to turn admin access off.");
}

/// <summary>Whether a request carries the admin key; compared in constant time so timing says nothing about the key.</summary>
public sealed class AdminAccess(IOptions<AdminOptions> options)
{
    public const string HeaderName = "X-Narrator-Admin-Key";

    private readonly byte[]? keyHash = string.IsNullOrEmpty(options.Value.ApiKey) ? null : Hash(options.Value.ApiKey);

    public bool IsAdmin(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? sent = context.Request.Headers[HeaderName];
        // Hashing first makes both sides the same length, so FixedTimeEquals compares every byte whatever was sent.
        return keyHash is not null && !string.IsNullOrEmpty(sent) && CryptographicOperations.FixedTimeEquals(keyHash, Hash(sent));
    }

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
