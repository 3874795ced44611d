using Narrator.Web.Services;
using Narrator.Web.Services.Workspaces;

namespace Narrator.Web.Workbench;

/// <summary>
/// Keeps the visitor's workspace (the choices, the clip and the narration on show) on the server, so a reload, another
/// tab or a restart opens the page where they were: restores it when the page opens and saves it, at most every
/// <see cref="SaveInterval"/>, once the page is live.
/// </summary>
public sealed class WorkspaceKeeper(NarrationSession session, WorkbenchSettings settings, WorkbenchClip clip, WorkbenchRuns runs,
    TimeProvider time, ILogger logger, CancellationToken lifetime)
{
    /// <summary>A burst of changes (typing a prompt) is one write.</summary>
    public static readonly TimeSpan SaveInterval = TimeSpan.FromMilliseconds(500);

    private RenderPacer? _saver;

    /// <summary>Opens the page where the visitor left it: clip, template, prompt, settings, and the narration on screen.</summary>
    public async Task RestoreAsync()
    {
        VisitorWorkspace? saved;
        try
        {
            saved = await session.LoadWorkspaceAsync(lifetime);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            logger.LogWarning(ex, "The visitor's workspace could not be read");
            return;
        }
        if (saved is null)
        {
            return;
        }
        settings.Restore(saved);
        if (saved.ClipId is { } clipId)
        {
            clip.ShowStored(clipId, settings.SplitMode);
        }
        if (saved.NarrationId is { } narrationId)
        {
            await runs.RestoreAsync(narrationId);
        }
    }

    /// <summary>From now on changes are saved (not while prerendering: that page is thrown away).</summary>
    public void StartSaving() => _saver ??= new RenderPacer(SaveAsync, SaveInterval, time);

    /// <summary>Something the workspace holds changed: it is saved soon.</summary>
    public void RequestSave() => _ = _saver?.RequestAsync();

    private async Task SaveAsync()
    {
        try
        {
            await session.SaveWorkspaceAsync(settings.ToWorkspace(clip.Info?.Id, runs.Run?.NarrationId), lifetime);
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
        }
    }
}
