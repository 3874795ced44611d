namespace Narrator.Web.Services.Engine;

/// <summary>
/// The start-up failure for a <c>Narrator:Engine</c> that names no registered engine. Checked when the EngineHost is built
/// at start (not as an options validator: factories depend on options, which would make a dependency cycle).
/// </summary>
internal static class EngineSelection
{
    internal static string UnknownEngineMessage(string name, IEnumerable<INarrationEngineFactory> factories)
    {
        var names = factories.Select(f => f.Name).ToList();
        return names.Count == 0
            ? $"Narrator:Engine is \"{name}\" but no engine is registered in this build."
            : $"Narrator:Engine is \"{name}\"; the engines available are: {string.Join(", ", names)}.";
    }
}
