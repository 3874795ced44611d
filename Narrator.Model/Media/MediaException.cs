namespace Narrator.Model.Media;

/// <summary>
/// A problem with the input a person gave us (not a bug): the message is one sentence they can act on.
/// The CLI prints it and exits 2; the web API turns it into a 4xx ProblemDetails.
/// </summary>
public class MediaException(string message, Exception? inner = null) : Exception(message, inner);
