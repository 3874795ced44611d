using Narrator.Web.Narrations;

namespace Narrator.Web.Workbench;

/// <summary>
/// Where one narration on the page stands, as the person sees it: the server's <see cref="NarrationState"/> plus the two
/// phases only the page knows (asked for but not answered yet; stopped by the person). <see cref="NarrationStatuses.Of"/>
/// is the one place it is filled from the server's state.
/// </summary>
public enum NarrationStatus
{
    /// <summary>Asked for, no answer from the queue yet.</summary>
    Submitting,
    Queued,
    Running,
    Completed,
    /// <summary>Stopped by the person; the text so far is kept.</summary>
    Stopped,
    /// <summary>Failed, or interrupted by a restart; the text so far is kept.</summary>
    Failed,
}

public static class NarrationStatuses
{
    /// <summary>
    /// The page's status for the server's <paramref name="state"/> (null: the server has not answered yet);
    /// <paramref name="stoppedByPerson"/> marks an end the person asked for, which is not shown as an error.
    /// </summary>
    public static NarrationStatus Of(NarrationState? state, bool stoppedByPerson) => stoppedByPerson
        ? NarrationStatus.Stopped
        : state switch
        {
            null => NarrationStatus.Submitting,
            NarrationState.Queued => NarrationStatus.Queued,
            NarrationState.Running => NarrationStatus.Running,
            NarrationState.Completed => NarrationStatus.Completed,
            NarrationState.Failed or NarrationState.Interrupted => NarrationStatus.Failed,
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Not a narration state."),
        };
}
