using Narrator.Model.Generation;

namespace Narrator.Web.Services.Engine;

/// <summary>Whether the engine is usable yet, as /readyz and the page report it.</summary>
public sealed record EngineStatus(EngineState State, EngineInfo? Info, string? Error)
{
    public bool IsReady => State == EngineState.Ready;
}

public enum EngineState
{
    Loading,
    Ready,
    Failed,
}
