using Narrator.Model;

namespace Narrator.Web.Services.Clips;

/// <summary>An upload refused before it was stored; <see cref="StatusCode"/> is the HTTP status the API answers with.</summary>
public sealed class ClipRejectedException(int statusCode, string message, Exception? inner = null) : UserInputException(message, inner)
{
    public int StatusCode { get; } = statusCode;
}
