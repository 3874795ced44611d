namespace Narrator.Web.Narrations;

/// <summary>
/// Where one narration (or one of its translations) is in its life: the one vocabulary the queue, the history, the API
/// and the page share. <see cref="NarrationStates"/> is the one place it meets its wire text ("queued", "completed"...).
/// </summary>
public enum NarrationState
{
    Queued,
    Running,
    Completed,
    Failed,

    /// <summary>The server stopped while it was queued or running; only ever read back from the history, with the text it had reached.</summary>
    Interrupted,
}

/// <summary>The wire and storage text of <see cref="NarrationState"/>: what <c>state</c> reads in the API, the history and exports.</summary>
public static class NarrationStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Interrupted = "interrupted";

    public static string ToName(this NarrationState state) => state switch
    {
        NarrationState.Queued => Queued,
        NarrationState.Running => Running,
        NarrationState.Completed => Completed,
        NarrationState.Failed => Failed,
        NarrationState.Interrupted => Interrupted,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Not a narration state."),
    };

    /// <summary>Reads a state's text (exact, as written by <see cref="ToName"/>); false for anything else.</summary>
    public static bool TryParse(string? name, out NarrationState state)
    {
        NarrationState? parsed = name switch
        {
            Queued => NarrationState.Queued,
            Running => NarrationState.Running,
            Completed => NarrationState.Completed,
            Failed => NarrationState.Failed,
            Interrupted => NarrationState.Interrupted,
            _ => null,
        };
        state = parsed.GetValueOrDefault();
        return parsed is not null;
    }

    /// <summary>Still waiting or being written: not yet in its final state.</summary>
    public static bool IsLive(string? name) => name is Queued or Running;
}
