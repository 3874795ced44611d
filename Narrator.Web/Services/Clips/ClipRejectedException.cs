using Narrator.Model;

namespace Narrator.Web.Services.Clips;

/// <summary>An upload refused before it was stored; <see cref="StatusCode"/> is the HTTP status the API answers with.</summary>
public sealed class ClipRejectedException(int statusCode, string message, Exception? inner = null) : UserInputException(message, inner)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The 507 refusal when the disk filled up while <paramref name="what"/> ("the upload", "the file") was being stored.</summary>
    public static ClipRejectedException DiskFull(Exception inner, string what) => new(StatusCodes.Status507InsufficientStorage,
        $"The server's disk is full, so {what} could not be stored; please try again later.", inner);
}
