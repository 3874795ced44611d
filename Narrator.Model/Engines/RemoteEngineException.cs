namespace Narrator.Model.Engines;

/// <summary>The remote engine could not be reached or refused the request; the message names the server and says what it answered.</summary>
public sealed class RemoteEngineException(string message, int? statusCode = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The HTTP status the server answered with, or null when no answer arrived.</summary>
    public int? StatusCode { get; } = statusCode;
}
