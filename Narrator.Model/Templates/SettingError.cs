namespace Narrator.Model.Templates;

/// <summary>One invalid setting: its name as the API and templates.json spell it, and a sentence saying what is wrong.</summary>
public sealed record SettingError(string Setting, string Message)
{
    public override string ToString() => Message;
}

/// <summary>Settings that failed validation; the message lists every problem, <see cref="Errors"/> one per setting.</summary>
public sealed class SettingsValidationException(IReadOnlyList<SettingError> errors)
    : UserInputException(string.Join(" ", errors.Select(e => e.Message)))
{
    public IReadOnlyList<SettingError> Errors { get; } = errors;
}
