namespace Narrator.Model;

/// <summary>
/// Something wrong with what a person gave us (a file, a setting, a model folder), not a bug.
/// The message is one sentence they can act on: the CLI prints it and exits 2; the web API returns it as a 4xx ProblemDetails.
/// </summary>
public class UserInputException(string message, Exception? inner = null) : Exception(message, inner);
