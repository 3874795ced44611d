namespace Narrator.Web.Services.Queue;

/// <summary>Where one narration is in its life.</summary>
public enum NarrationState
{
    Queued,
    Running,
    Completed,
    Failed,
}
