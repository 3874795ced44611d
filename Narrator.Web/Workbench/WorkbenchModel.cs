using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Narrator.Model.Search;
using Narrator.Web.Localization;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.Sharing;

namespace Narrator.Web.Workbench;

/// <summary>
/// What the Space page shows, without the browser: its parts — <see cref="Settings"/>, <see cref="Clip"/>,
/// <see cref="Runs"/>, <see cref="Share"/>, the <see cref="History"/> and the <see cref="Workspace"/> kept for the next
/// visit — and what happens to the others when one changes (a new clip clears the narration, a stored narration brings
/// its clip, a re-run its settings). The page adds what needs the browser: dialogs, scrolling, seeking, shortcuts, tabs.
/// </summary>
public sealed class WorkbenchModel : IDisposable
{
    private const int HistoryLength = 20;

    private readonly NarrationSession _session;
    private readonly Func<Task> _changed;
    private readonly Func<Func<Task>, Task> _dispatch;
    private readonly ILogger _logger;
    private readonly CancellationToken _lifetime;

    /// <summary>
    /// Builds the page's parts for this visitor. <paramref name="changed"/> re-renders the page (from any thread);
    /// <paramref name="outputChanged"/> re-renders only a run's output, at most every <paramref name="tokenInterval"/>;
    /// <paramref name="dispatch"/> runs work that another tab or client set off on the page's renderer (its InvokeAsync).
    /// </summary>
    public WorkbenchModel(NarrationSession session, ShareLinks shares, NavigationManager navigation, WorkbenchSettings settings, TimeProvider time,
        ILogger logger, TimeSpan tokenInterval, Func<Task> changed, Func<NarrationRun, Task> outputChanged, Func<Func<Task>, Task> dispatch,
        CancellationToken lifetime)
    {
        _session = session;
        _changed = changed;
        _dispatch = dispatch;
        _logger = logger;
        _lifetime = lifetime;
        Settings = settings;
        WorkspaceKeeper? workspace = null;
        Clip = new WorkbenchClip(session, time, logger, changed, lifetime);
        Runs = new WorkbenchRuns(session, settings, time, logger, tokenInterval, changed, outputChanged, () => workspace?.RequestSave(), lifetime);
        Share = new WorkbenchShare(shares, session, navigation, lifetime);
        Workspace = workspace = new WorkspaceKeeper(session, settings, Clip, Runs, time, logger, lifetime);
    }

    public WorkbenchSettings Settings { get; }

    public WorkbenchClip Clip { get; }

    public WorkbenchRuns Runs { get; }

    public WorkbenchShare Share { get; }

    public WorkspaceKeeper Workspace { get; }

    /// <summary>The visitor's latest ended narrations, newest first.</summary>
    public IReadOnlyList<NarrationRecord> History { get; private set; } = [];

    /// <summary>The long-video segment picked on the timeline, in the list or by a search hit.</summary>
    public int? SelectedSegment { get; set; }

    public bool IsNarrating => Runs.IsNarrating;

    /// <summary>What "Use via API" shows: the request Describe would send now; null without a clip.</summary>
    public NarrationRequest? ApiRequest => Clip.Info is { } clip ? Settings.Request(clip.Id) : null;

    /// <summary>Why Describe is off right now, in words; null when it can be pressed.</summary>
    public string? DescribeBlockedBy(UiText text) =>
        Clip.Info is null ? text.NeedClip
        : Clip.IsUploading ? text.WaitForUpload
        : string.IsNullOrWhiteSpace(Settings.Prompt) ? text.NeedPrompt
        : Settings.Problems.Count > 0 ? text.FixSettingsFirst
        : IsNarrating ? text.Stop + ": Esc"
        : null;

    /// <summary>Loads the visitor's templates and opens the page where they left it (prerendering too).</summary>
    public async Task OpenAsync()
    {
        Settings.UseTemplates(await _session.TemplatesAsync(_lifetime));
        await Workspace.RestoreAsync();
    }

    /// <summary>
    /// The page is live: changes are saved, the history is read, a narration left running is followed to its end, and a
    /// narration the visitor deletes anywhere (another tab, the API) leaves this page too.
    /// </summary>
    public async Task GoLiveAsync(UiText text)
    {
        Workspace.StartSaving();
        _session.NarrationDeleted -= OnNarrationDeleted;
        _session.NarrationDeleted += OnNarrationDeleted;
        _session.WatchDeletions();
        _ = FollowRestoredAsync(text);
        await RefreshHistoryAsync();
    }

    private async Task FollowRestoredAsync(UiText text)
    {
        if (await Runs.FollowPendingAsync(text))
        {
            await Share.RefreshAsync(Runs.Run);
            await RefreshHistoryAsync();
        }
    }

    public async Task RefreshHistoryAsync()
    {
        try
        {
            History = await _session.HistoryAsync(HistoryLength, _lifetime);
            await _changed();
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
        }
    }

    /// <summary>Receives a visitor's file; true when it is on show (what was narrated of the clip before leaves the page).</summary>
    public async Task<bool> UploadAsync(IBrowserFile file, long maxBytes, UiText text)
    {
        bool shown = await Clip.UploadAsync(file, maxBytes, Settings.ValidFramesOrDefault, Settings.SplitMode, text);
        if (shown)
        {
            ClipShown();
        }
        return shown;
    }

    /// <summary>Shows a built-in example with the template it suggests; true when it is on show.</summary>
    public async Task<bool> LoadExampleAsync(ExampleClip example, Func<Stream> open)
    {
        ArgumentNullException.ThrowIfNull(example);
        if (Settings.Find(example.TemplateId) is { } suggested)
        {
            Settings.ApplyTemplate(suggested);
        }
        bool shown = await Clip.LoadExampleAsync(example.File, open, Settings.ValidFramesOrDefault, Settings.SplitMode);
        if (shown)
        {
            ClipShown();
        }
        return shown;
    }

    /// <summary>Clear: the clip and the narration leave the page (both stay in the history and on the server until they expire).</summary>
    public void Clear()
    {
        if (!IsNarrating)
        {
            Clip.Clear();
            ClipShown();
        }
    }

    private void ClipShown()
    {
        Runs.Clear();
        SelectedSegment = null;
        Workspace.RequestSave();
    }

    public Task ReplanAsync(UiText text) => Clip.ReplanAsync(Settings.Frames, text);

    /// <summary>The visitor picked how a long clip is split: remembered, and the clip's segments planned that way.</summary>
    public Task SplitModeChangedAsync()
    {
        Workspace.RequestSave();
        return Clip.PlanSegmentsAsync(Settings.SplitMode);
    }

    /// <summary>Describe, first half: the request with the current choices becomes the run on show (null when Describe is off).</summary>
    public NarrationRun? BeginDescribe(UiText text)
    {
        if (DescribeBlockedBy(text) is not null || Clip.Info is not { } clip)
        {
            return null;
        }
        SelectedSegment = null;
        return Runs.Begin(Settings.Request(clip.Id), clip.Label);
    }

    /// <summary>Describe, second half: narrates <paramref name="run"/> to its end, then the history shows it.</summary>
    public async Task DescribeAsync(NarrationRun run, long clickedAt, UiText text)
    {
        await Runs.NarrateAsync(run, clickedAt, text);
        await RefreshHistoryAsync();
    }

    /// <summary>Compare: each side runs with its own template's settings, since that is what is being compared.</summary>
    public async Task CompareAsync(CompareChoice left, CompareChoice right, UiText text)
    {
        if (Clip.Info is not { } clip || IsNarrating)
        {
            return;
        }
        NarrationRequest Side(CompareChoice choice) => Settings.Request(clip.Id, choice.TemplateId, choice.Prompt, Settings.OptionsOf(choice.TemplateId));
        await Runs.CompareAsync(Side(left), Side(right), clip.Label, text);
        await RefreshHistoryAsync();
    }

    /// <summary>A stored narration on the Describe tab, with its own clip when that is still on the server; false while narrating.</summary>
    public async Task<bool> OpenAsync(NarrationRecord record, UiText text)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (IsNarrating)
        {
            return false;
        }
        Runs.Show(record);
        SelectedSegment = null;
        Clip.ShowStored(record.ClipId, Settings.SplitMode, text.HistoryClipGone(record.ClipLabel));
        await Share.RefreshAsync(Runs.Run);
        Workspace.RequestSave();
        return true;
    }

    /// <summary>
    /// A search hit: its narration opens (false when it is gone or a narration runs), a segment hit selects that segment,
    /// and its clip is loaded when still on the server, with where to seek the preview to (null when the clip is gone).
    /// </summary>
    public async Task<(bool Opened, double? SeekTo)> OpenAsync(SearchHit hit, UiText text)
    {
        ArgumentNullException.ThrowIfNull(hit);
        if (await _session.NarrationAsync(hit.Document.NarrationId, _lifetime) is not { } record || !await OpenAsync(record, text))
        {
            return (false, null);
        }
        SelectedSegment = hit.Document.SegmentIndex;
        return (true, await Clip.ReopenQuietlyAsync(record.ClipId, record.Options.Frames) ? hit.Document.StartSeconds : null);
    }

    /// <summary>
    /// Deletes one of the visitor's narrations for good; once it is gone (or was already) it leaves the history, the
    /// narration on show and the Compare picks, and the workspace no longer remembers it.
    /// </summary>
    public async Task<DeleteOutcome> DeleteAsync(NarrationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var outcome = await _session.DeleteAsync(record.Id, _lifetime);
        if (outcome is DeleteOutcome.Deleted or DeleteOutcome.Unknown)
        {
            await DropAsync(record.Id);
        }
        return outcome;
    }

    /// <summary>A deleted narration leaves the history, the narration on show and the Compare picks; the workspace forgets it.</summary>
    private async Task DropAsync(string narrationId)
    {
        bool shown = Runs.Run?.NarrationId == narrationId || Runs.CompareLeft?.NarrationId == narrationId || Runs.CompareRight?.NarrationId == narrationId;
        if (!shown && History.All(r => r.Id != narrationId))
        {
            return;
        }
        History = [.. History.Where(r => r.Id != narrationId)];
        bool wasOnShow = Runs.Run?.NarrationId == narrationId;
        Runs.Forget(narrationId);
        if (wasOnShow)
        {
            SelectedSegment = null;
            await Share.RefreshAsync(Runs.Run);
        }
        if (shown)
        {
            Workspace.RequestSave();
        }
        // The next older narration takes the freed place in the list.
        await RefreshHistoryAsync();
    }

    /// <summary>One of the visitor's narrations was deleted (here, in another tab or over the API): dropped on this page's renderer.</summary>
    private void OnNarrationDeleted(string narrationId) => _ = DropDeletedAsync(narrationId);

    private async Task DropDeletedAsync(string narrationId)
    {
        try
        {
            await _dispatch(() => _lifetime.IsCancellationRequested ? Task.CompletedTask : DropAsync(narrationId));
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
        {
            // The page closed meanwhile: nothing left to update.
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Could not take deleted narration {NarrationId} off the page", narrationId);
        }
    }

    /// <summary>Takes a stored narration's clip and settings to narrate it again; false when its clip is gone (<see cref="WorkbenchClip.Error"/> says so).</summary>
    public async Task<bool> PrepareRerunAsync(NarrationRecord record, UiText text)
    {
        Settings.UseSettingsOf(record);
        return await Clip.ReopenAsync(record.ClipId, Settings.Frames, text);
    }

    public void Dispose()
    {
        _session.NarrationDeleted -= OnNarrationDeleted;
        Runs.Dispose();
    }
}
