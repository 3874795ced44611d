using Microsoft.Extensions.Options;

namespace Narrator.Web.Services.Engine;

/// <summary>Fails start-up when <c>Narrator:Engine</c> names no registered engine, listing the ones there are.</summary>
internal sealed class EngineSelectionValidator(IEnumerable<INarrationEngineFactory> factories) : IValidateOptions<NarratorOptions>
{
    public ValidateOptionsResult Validate(string? name, NarratorOptions options) =>
        factories.Any(f => string.Equals(f.Name, options.Engine, StringComparison.OrdinalIgnoreCase))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(UnknownEngineMessage(options.Engine, factories));

    internal static string UnknownEngineMessage(string name, IEnumerable<INarrationEngineFactory> factories)
    {
        var names = factories.Select(f => f.Name).ToList();
        return names.Count == 0
            ? $"Narrator:Engine is \"{name}\" but no engine is registered in this build."
            : $"Narrator:Engine is \"{name}\"; the engines available are: {string.Join(", ", names)}.";
    }
}
