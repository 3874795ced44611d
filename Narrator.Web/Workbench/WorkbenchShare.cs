using Microsoft.AspNetCore.Components;
using Narrator.Web.Services;
using Narrator.Web.Services.Sharing;

namespace Narrator.Web.Workbench;

/// <summary>The public link of the narration on show: found when a completed one is shown, published and revoked by the visitor.</summary>
public sealed class WorkbenchShare(ShareLinks shares, NarrationSession session, NavigationManager navigation, CancellationToken lifetime)
{
    private NarrationRun? _run;
    private string? _url;

    /// <summary>The absolute address anyone can open for <paramref name="run"/>; null while it is not shared (or not looked up).</summary>
    public string? UrlFor(NarrationRun? run) => run is not null && ReferenceEquals(run, _run) ? _url : null;

    /// <summary>Looks up whether <paramref name="run"/> (a completed narration) is already shared.</summary>
    public async Task RefreshAsync(NarrationRun? run)
    {
        _run = run;
        _url = run is { Status: NarrationStatus.Completed, NarrationId: { } id }
            && await shares.TokenOfAsync(id, lifetime) is { } token
            ? navigation.ToAbsoluteUri(ShareLinks.PagePath(token)).ToString()
            : null;
    }

    /// <summary>
    /// Publishes <paramref name="run"/> or, when shared, revokes its link: true when a link was revoked. Only a completed
    /// narration can be shared; a refusal (not theirs, refused, disk full) throws with a sentence for the visitor.
    /// </summary>
    public async Task<bool> ToggleAsync(NarrationRun? run)
    {
        if (run is not { Status: NarrationStatus.Completed, NarrationId: { } id })
        {
            return false;
        }
        if (UrlFor(run) is null)
        {
            var shared = await shares.PublishAsync(id, session.Owner, lifetime);
            (_run, _url) = (run, navigation.ToAbsoluteUri(shared.PagePath).ToString());
            return false;
        }
        await shares.RevokeAsync(id, session.Owner, lifetime);
        _url = null;
        return true;
    }
}
