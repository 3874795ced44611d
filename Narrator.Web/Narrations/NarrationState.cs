using System.Text.Json.Serialization;

namespace Narrator.Web.Narrations;

/// <summary>
/// Where one narration (or one of its translations) is in its life: the one vocabulary the queue, the history, the API
/// and the page share. <see cref="NarrationStates"/> is the one place it meets its wire text ("queued", "completed"...);
/// JSON writes the same text whatever enum converter the serializer options carry.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<NarrationState>))]
public enum NarrationState
{
    [JsonStringEnumMemberName(NarrationStates.Queued)]
    Queued,

    [JsonStringEnumMemberName(NarrationStates.Running)]
    Running,

    [JsonStringEnumMemberName(NarrationStates.Completed)]
    Completed,

    [JsonStringEnumMemberName(NarrationStates.Failed)]
    Failed,

    /// <summary>The server stopped while it was queued or running; only ever read back from the history, with the text it had reached.</summary>
    [JsonStringEnumMemberName(NarrationStates.Interrupted)]
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
    public static bool IsLive(this NarrationState state) => state is NarrationState.Queued or NarrationState.Running;

    /// <summary>
    /// The state a narration is in once <paramref name="narrationEvent"/> has gone out: queued, running (started, stages,
    /// tokens, segments), completed or failed. The queue and the page both read events through this one mapping.
    /// </summary>
    public static NarrationState After(NarrationEvent narrationEvent) => narrationEvent switch
    {
        QueuedEvent => NarrationState.Queued,
        CompletedEvent => NarrationState.Completed,
        FailedEvent => NarrationState.Failed,
        _ => NarrationState.Running,
    };
}
