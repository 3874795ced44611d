using Microsoft.Extensions.AI;

namespace Narrator.Web.Services.Engine;

/// <summary>
/// Builds the engine that sits in the IChatClient seat. Register one per engine kind; <c>Narrator:Engine</c> picks the one
/// whose <see cref="Name"/> matches ("onnx" for the in-process model, "openai" for an OpenAI-compatible server).
/// </summary>
public interface INarrationEngineFactory
{
    /// <summary>The value of <c>Narrator:Engine</c> that selects this factory (compared case-insensitively).</summary>
    string Name { get; }

    /// <summary>Loads the engine; the result must answer <c>GetService(typeof(EngineInfo))</c>. Throws UserInputException for a bad configuration.</summary>
    Task<IChatClient> CreateAsync(CancellationToken cancellationToken);
}
