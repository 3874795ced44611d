namespace Narrator.Web.Workbench;

/// <summary>Where one narration on the page stands, as the person sees it.</summary>
public enum NarrationStatus
{
    /// <summary>Asked for, no answer from the queue yet.</summary>
    Submitting,
    Queued,
    Running,
    Completed,
    /// <summary>Stopped by the person; the text so far is kept.</summary>
    Stopped,
    Failed,
}
