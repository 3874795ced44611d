namespace Narrator.Model.Engines;

/// <summary>
/// The remote engine could not be reached or refused the request. <see cref="Exception.Message"/> is for the operator
/// (server address, the setting to check); <see cref="PublicMessage"/> is what a visitor may be shown.
/// </summary>
public sealed class RemoteEngineException(string message, string publicMessage, int? statusCode = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>One sentence without server addresses or setting names, fit for a failed event.</summary>
    public string PublicMessage { get; } = publicMessage;

    /// <summary>The HTTP status the server answered with, or null when no answer arrived.</summary>
    public int? StatusCode { get; } = statusCode;
}
