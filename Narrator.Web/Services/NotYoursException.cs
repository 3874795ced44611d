using Narrator.Model;

namespace Narrator.Web.Services;

/// <summary>A visitor tried to change, cancel or delete something another visitor owns; the API answers 403.</summary>
public sealed class NotYoursException(string message) : UserInputException(message);
