using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using MudBlazor;
using Narrator.Model;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Templates;
using Narrator.Web.Components.Clip;
using Narrator.Web.Components.Interop;
using Narrator.Web.Components.Layout;
using Narrator.Web.Components.Output;
using Narrator.Web.Localization;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Engine;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Sharing;
using Narrator.Web.Services.Workspaces;
using Narrator.Web.Workbench;

namespace Narrator.Web.Components.Pages;

/// <summary>
/// The Space page: composes the components and calls the visitor's <see cref="NarrationSession"/> for uploads,
/// re-plans, narrations, history and the saved workspace (so a reload, another tab or a restart opens where the visitor
/// was). Streamed tokens re-render only the output panel, at most every <see cref="TokenRenderInterval"/>.
/// </summary>
public sealed partial class Home : ComponentBase, IAsyncDisposable
{
    /// <summary>Fast enough to read as smooth growth, slow enough not to flood the circuit with a fast model.</summary>
    public static readonly TimeSpan TokenRenderInterval = TimeSpan.FromMilliseconds(30);

    private static readonly TimeSpan ReplanDelay = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan WorkspaceSaveInterval = TimeSpan.FromMilliseconds(500);
    private static readonly IReadOnlySet<int> NothingNarrated = new HashSet<int>();

    private readonly CancellationTokenSource _pageLifetime = new();
    private ClipPreview? _preview;
    private NarrationOutput? _output;
    private ElementReference _actionsRow;
    private CompareView? _compare;
    private NarratorScript? _script;
    private IJSObjectReference? _shortcuts;
    private DotNetObjectReference<Home>? _self;
    private RenderPacer? _workspaceSaver;

    private EngineInfo? _engine;
    private string? _engineError;
    private IReadOnlyList<PromptTemplate> _templates = [];
    private IReadOnlyList<ExampleClip> _examples = [];
    private IReadOnlyList<NarrationRecord> _history = [];

    private ClipInfo? _clip;
    private string? _uploadName;
    private long _uploadedBytes;
    private long _uploadTotalBytes;
    private string? _uploadError;
    private CancellationTokenSource? _uploadCancellation;
    private bool _replanning;
    private CancellationTokenSource? _replanCancellation;

    private string? _templateId;
    private string _prompt = "";
    private FrameOptions _frames = new();
    private GenerationOptions _generation = new();
    private SegmentationMode? _splitModeChoice;
    private IReadOnlyList<NarrationSegment>? _clipSegments;
    private bool _settingsEdited;
    private double? _pendingSeek;
    /// <summary>What the subtitle panel says requests should put into the prompt ("auto", "off", "file", "stream:N").</summary>
    private string _subtitleChoice = "auto";

    private NarrationRun? _run;
    private ProcessedOutput? _processed;
    private string? _shareUrl;
    private NarrationRun? _compareLeft;
    private NarrationRun? _compareRight;
    private CancellationTokenSource? _followCancellation;
    private bool _stopRequested;
    private int _tab;
    private int? _selectedSegment;
    private bool _interactive;
    private bool _apiOpen;
    private string? _pendingAttach;

    [Inject] private NarrationSession Session { get; set; } = null!;
    [Inject] private EngineHost EngineHost { get; set; } = null!;
    [Inject] private ShareLinks Shares { get; set; } = null!;
    [Inject] private IOptions<UploadOptions> UploadOptions { get; set; } = null!;
    [Inject] private IOptions<QueueOptions> QueueOptions { get; set; } = null!;
    [Inject] private IOptions<SegmentationOptions> SegmentationOptions { get; set; } = null!;
    [Inject] private IWebHostEnvironment Environment { get; set; } = null!;
    [Inject] private IConfiguration Configuration { get; set; } = null!;
    [Inject] private TimeProvider Time { get; set; } = null!;
    [Inject] private ILogger<Home> Logger { get; set; } = null!;
    [Inject] private IJSRuntime JS { get; set; } = null!;
    [Inject] private IDialogService Dialogs { get; set; } = null!;
    [Inject] private ISnackbar Snackbar { get; set; } = null!;
    [Inject] private NavigationManager Navigation { get; set; } = null!;

    [CascadingParameter] public UiPreferences Preferences { get; set; } = null!;
    [CascadingParameter] public UiText Text { get; set; } = UiText.English;

    private long MaxUploadBytes => UploadOptions.Value.MaxBytes;

    private string ModelDocsUrl => Configuration["Narrator:Ui:ModelDocsUrl"] ?? ModelGuide.Route;

    private PromptTemplate? SelectedTemplate => _templates.FirstOrDefault(template => template.Id == _templateId);

    /// <summary>What Reset restores: the selected template's own settings (Narrator's defaults for a template without any).</summary>
    private NarrationOptions TemplateValues => SelectedTemplate?.ResolveOptions() ?? new NarrationOptions(new FrameOptions(), new GenerationOptions());

    private bool IsNarrating => _run?.IsActive == true || _compareLeft?.IsActive == true || _compareRight?.IsActive == true;

    private IReadOnlyList<SettingError> SettingsProblems => SettingsCheck.Problems(_frames, _generation, QueueOptions.Value.MaxNewTokensLimit);

    /// <summary>Why Describe is off right now, in words; null when it can be pressed.</summary>
    private string? DescribeBlockedBy =>
        _clip is null ? Text.NeedClip
        : _uploadName is not null ? Text.WaitForUpload
        : string.IsNullOrWhiteSpace(_prompt) ? Text.NeedPrompt
        : SettingsProblems.Count > 0 ? Text.FixSettingsFirst
        : IsNarrating ? Text.Stop + ": Esc"
        : null;

    private SegmentationMode SplitMode
    {
        get => _splitModeChoice ?? SegmentationOptions.Value.Mode;
        set => _splitModeChoice = value;
    }

    private NarrationRequest? ApiRequest => _clip is null ? null : BuildRequest(_templateId, _prompt);

    protected override async Task OnInitializedAsync()
    {
        _examples = new ExampleCatalog(Environment.WebRootFileProvider).Load();
        ReadEngineStatus();
        _templates = await Session.TemplatesAsync(_pageLifetime.Token);
        if (_templates.Count > 0)
        {
            ApplyTemplate(_templates.FirstOrDefault(template => template.Id == TemplateCatalogue.DefaultTemplateId) ?? _templates[0]);
        }
        // Prerendering too: the first byte already shows the visitor's clip, settings and last narration.
        await RestoreWorkspaceAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_pendingSeek is double seek)
        {
            _pendingSeek = null;
            await SeekAsync(seek);
        }
        if (!firstRender)
        {
            return;
        }
        // Prerendered markup is visible before the circuit connects; this says the buttons work now.
        _interactive = true;
        _workspaceSaver = new RenderPacer(SaveWorkspaceAsync, WorkspaceSaveInterval, Time);
        Session.ClipUpdated += OnClipUpdated;
        Session.WatchClips();
        _script = new NarratorScript(JS);
        _self = DotNetObjectReference.Create(this);
        try
        {
            _shortcuts = await _script.RegisterShortcutsAsync(_self);
        }
        catch (JSException ex)
        {
            Logger.LogDebug(ex, "Keyboard shortcuts could not be registered");
        }
        if (_pendingAttach is { } narrationId)
        {
            _pendingAttach = null;
            _ = FollowAsync(narrationId);
        }
        await RefreshHistoryAsync();
        if (_engine is null && _engineError is null)
        {
            _ = WaitForEngineAsync();
        }
    }

    private void ReadEngineStatus()
    {
        EngineStatus status = EngineHost.Status;
        _engine = status.Info;
        _engineError = status.State == EngineState.Failed ? status.Error : null;
    }

    private async Task WaitForEngineAsync()
    {
        try
        {
            await EngineHost.WhenReadyAsync(_pageLifetime.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception ex)
        {
            Logger.LogWarning(ex, "The engine failed to load while the page waited for it");
        }
        await InvokeAsync(() =>
        {
            ReadEngineStatus();
            StateHasChanged();
        });
    }

    private async Task SetLanguageAsync(UiLanguage language)
    {
        Preferences.SetLanguage(language);
        if (_script is not null)
        {
            await _script.SetDocumentLanguageAsync(UiText.For(language).LanguageTag);
        }
    }

    // Workspace ------------------------------------------------------------------------------------------------------

    /// <summary>Opens the page where the visitor left it: clip, template, prompt, settings, and the narration on screen.</summary>
    private async Task RestoreWorkspaceAsync()
    {
        VisitorWorkspace? saved;
        try
        {
            saved = await Session.LoadWorkspaceAsync(_pageLifetime.Token);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            Logger.LogWarning(ex, "The visitor's workspace could not be read");
            return;
        }
        if (saved is null)
        {
            return;
        }
        if (saved.TemplateId is { } templateId && _templates.FirstOrDefault(template => template.Id == templateId) is { } template)
        {
            ApplyTemplate(template);
        }
        _prompt = saved.Prompt ?? _prompt;
        _settingsEdited = saved.SettingsEdited;
        if (saved.SettingsEdited)
        {
            _frames = saved.Frames ?? _frames;
            _generation = saved.Generation ?? _generation;
        }
        _subtitleChoice = saved.Subtitles ?? _subtitleChoice;
        _splitModeChoice = SegmentationNames.ModeOrNull(saved.Split);
        if (saved.ClipId is { } clipId && Session.OwnClip(clipId) is { } clip)
        {
            _clip = clip;
            _ = LoadClipSegmentsAsync();
        }
        if (saved.NarrationId is { } narrationId)
        {
            await RestoreNarrationAsync(narrationId);
        }
    }

    /// <summary>A running narration is picked up from its event log (once the page is live); an ended one comes from the history.</summary>
    private async Task RestoreNarrationAsync(string narrationId)
    {
        if (Session.Attach(narrationId) is { IsFinished: false } job)
        {
            // Prerendering shows the text so far; the live page re-reads the log and follows it.
            _run = Reattached(job);
            foreach (var narrationEvent in SnapshotOf(job))
            {
                _run.Apply(narrationEvent);
            }
            _pendingAttach = narrationId;
            return;
        }
        if (await Session.NarrationAsync(narrationId, _pageLifetime.Token) is { } record)
        {
            ShowRecord(record);
        }
    }

    private static NarrationRun Reattached(NarrationJob job)
    {
        var record = job.ToRecord();
        return new NarrationRun(NarrationRun.RequestOf(record), record.ClipLabel, record.CreatedAt) { Reattached = true };
    }

    // What the log holds so far, without waiting for more (prerendering must not block).
    private static IEnumerable<NarrationEvent> SnapshotOf(NarrationJob job)
    {
        var record = job.ToRecord();
        foreach (var segment in record.Segments ?? [])
        {
            yield return new SegmentEvent(segment, record.Segments!.Count) { NarrationId = job.Id };
        }
        yield return new StartedEvent { NarrationId = job.Id };
        if (record.Text.Length > 0)
        {
            yield return new TokenEvent(record.Text) { NarrationId = job.Id };
        }
    }

    /// <summary>Re-attaches to a live narration and replays its whole event log into a fresh run, then follows it.</summary>
    private async Task FollowAsync(string narrationId)
    {
        if (Session.Attach(narrationId) is not { } job)
        {
            return;
        }
        var run = Reattached(job);
        _run = run;
        _processed = null;
        await InvokeAsync(StateHasChanged);
        await ReadEventsAsync(run, job, clickedAt: null);
        _processed = Process(run);
        await RefreshShareAsync();
        await RefreshHistoryAsync();
    }

    private void RequestWorkspaceSave()
    {
        if (_workspaceSaver is not null)
        {
            _ = _workspaceSaver.RequestAsync();
        }
    }

    private async Task SaveWorkspaceAsync()
    {
        var workspace = new VisitorWorkspace
        {
            ClipId = _clip?.Id,
            TemplateId = _templateId,
            Prompt = SelectedTemplate?.Prompt == _prompt ? null : _prompt,
            Frames = _frames,
            Generation = _generation,
            SettingsEdited = _settingsEdited,
            Split = _splitModeChoice?.ToName(),
            NarrationId = _run?.NarrationId,
            Subtitles = _subtitleChoice,
        };
        try
        {
            await Session.SaveWorkspaceAsync(workspace, _pageLifetime.Token);
        }
        catch (OperationCanceledException) when (_pageLifetime.IsCancellationRequested)
        {
        }
    }

    // Upload ---------------------------------------------------------------------------------------------------------

    private async Task UploadAsync(IBrowserFile file)
    {
        if (!await StopForNewClipAsync(file.Name))
        {
            return;
        }
        _uploadCancellation?.Cancel();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_pageLifetime.Token);
        _uploadCancellation = cancellation;
        _uploadError = null;
        _uploadName = file.Name;
        _uploadedBytes = 0;
        _uploadTotalBytes = file.Size;
        var progressRender = new RenderPacer(() => InvokeAsync(StateHasChanged), TimeSpan.FromMilliseconds(100), Time);
        try
        {
            await using var stream = new ReadProgressStream(file.OpenReadStream(MaxUploadBytes, cancellation.Token), bytes =>
            {
                _uploadedBytes = bytes;
                _ = progressRender.RequestAsync();
            });
            ShowClip(await Session.UploadAsync(stream, file.Name, ValidFramesOrDefault, cancellation.Token));
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The visitor cancelled or left.
        }
        catch (Exception ex) when (ex is UserInputException or ClipRejectedException)
        {
            _uploadError = ex.Message;
        }
        catch (IOException ex)
        {
            Logger.LogWarning(ex, "Upload of {FileName} broke off", file.Name);
            _uploadError = Text.UploadInterrupted;
        }
        finally
        {
            _uploadName = null;
            _uploadCancellation = null;
        }
    }

    /// <summary>
    /// A new clip while a narration runs would leave it running unseen: ask first, and stop it when the visitor agrees.
    /// True when the new clip may load.
    /// </summary>
    private async Task<bool> StopForNewClipAsync(string name)
    {
        if (!IsNarrating)
        {
            return true;
        }
        bool? stop = await Dialogs.ShowMessageBoxAsync(Text.NewClipTitle, Text.NewClipQuestion(name), yesText: Text.StopAndLoad, cancelText: Text.KeepNarrating);
        if (stop != true)
        {
            return false;
        }
        await StopAsync();
        return true;
    }

    private void CancelUpload() => _uploadCancellation?.Cancel();

    private async Task LoadExampleAsync(ExampleClip example)
    {
        if (!await StopForNewClipAsync(example.File))
        {
            return;
        }
        var catalog = new ExampleCatalog(Environment.WebRootFileProvider);
        _uploadError = null;
        _uploadName = example.File;
        _uploadedBytes = _uploadTotalBytes = 1;
        StateHasChanged();
        try
        {
            if (_templates.FirstOrDefault(template => template.Id == example.TemplateId) is { } suggested)
            {
                ApplyTemplate(suggested);
            }
            await using Stream stream = catalog.Open(example);
            ShowClip(await Session.UploadAsync(stream, example.File, ValidFramesOrDefault, _pageLifetime.Token));
            // On a phone the clip is far above the examples: show it.
            StateHasChanged();
            await BringIntoViewAsync(_preview?.Element);
        }
        catch (Exception ex) when (ex is UserInputException or ClipRejectedException)
        {
            _uploadError = ex.Message;
        }
        finally
        {
            _uploadName = null;
        }
    }

    private FrameOptions ValidFramesOrDefault => SettingsProblems.Count == 0 ? _frames : TemplateValues.Frames;

    private void ShowClip(ClipInfo clip)
    {
        _clip = clip;
        _uploadError = null;
        _run = null;
        _processed = null;
        _shareUrl = null;
        _selectedSegment = null;
        _compareLeft = _compareRight = null;
        _ = LoadClipSegmentsAsync();
        RequestWorkspaceSave();
    }

    /// <summary>Clear: the clip and the narration leave the page (both stay in the history and on the server until they expire).</summary>
    private Task ClearAsync()
    {
        if (IsNarrating)
        {
            return Task.CompletedTask;
        }
        _clip = null;
        _clipSegments = null;
        _run = null;
        _processed = null;
        _shareUrl = null;
        _selectedSegment = null;
        _uploadError = null;
        _compareLeft = _compareRight = null;
        RequestWorkspaceSave();
        return Task.CompletedTask;
    }

    /// <summary>A long clip's segments, shown on a timeline under its frames before anything is narrated.</summary>
    private async Task LoadClipSegmentsAsync()
    {
        _clipSegments = null;
        if (_clip is not { } clip)
        {
            return;
        }
        var mode = SplitMode;
        try
        {
            var planned = await Session.PlanSegmentsAsync(clip.Id, mode, _pageLifetime.Token);
            // Another clip or split mode may have been chosen meanwhile; only the latest plan is shown.
            if (_clip?.Id == clip.Id && SplitMode == mode)
            {
                _clipSegments = planned;
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
        catch (Exception ex)
        {
            // Only a preview: narrating splits the clip again and says what is wrong, so this is logged, not shown.
            Logger.LogWarning(ex, "No segment plan for clip {ClipId}", clip.Id);
        }
    }

    private Task OnSplitModeChangedAsync()
    {
        RequestWorkspaceSave();
        return LoadClipSegmentsAsync();
    }

    private Task SeekAsync(double seconds) => _preview?.SeekAsync(seconds) ?? Task.CompletedTask;

    /// <summary>A segment clicked on the timeline or in the list: the player jumps to its start, and both it and the text come into view.</summary>
    private async Task SelectSegmentAsync(NarrationSegment segment)
    {
        _selectedSegment = segment.Index;
        await SeekAsync(segment.StartSeconds);
        StateHasChanged();
        if (_script is not null)
        {
            try
            {
                await _script.ShowSegmentAsync(_preview?.Element, $"#output-segment-{segment.Index}");
            }
            catch (Exception ex) when (ex is JSException or JSDisconnectedException)
            {
                Logger.LogDebug(ex, "Could not scroll to segment {Segment}", segment.Index);
            }
        }
    }

    private async Task BringIntoViewAsync(ElementReference? element, string block = "nearest")
    {
        if (_script is not null && element is { } target)
        {
            try
            {
                await _script.BringIntoViewAsync(target, block);
            }
            catch (Exception ex) when (ex is JSException or JSDisconnectedException)
            {
                Logger.LogDebug(ex, "Could not scroll");
            }
        }
    }

    // Template, prompt and settings ----------------------------------------------------------------------------------

    private async Task SelectTemplateAsync(string id)
    {
        if (_templates.FirstOrDefault(template => template.Id == id) is not { } template)
        {
            return;
        }
        // An edited prompt is replaced, but one click brings it (and the template) back.
        (string? TemplateId, string Prompt)? edited = SelectedTemplate is { } previous && previous.Prompt != _prompt ? (_templateId, _prompt) : null;
        FrameOptions before = _frames;
        ApplyTemplate(template);
        RequestWorkspaceSave();
        if (edited is { } undo)
        {
            Snackbar.Add(Text.PromptReplaced(template.Name.For(Text.LanguageTag)), Severity.Info, options =>
            {
                options.Action = Text.Undo;
                options.ActionColor = Color.Primary;
                options.VisibleStateDuration = 10_000;
                options.OnClick = _ => InvokeAsync(() =>
                {
                    _templateId = undo.TemplateId;
                    _prompt = undo.Prompt;
                    RequestWorkspaceSave();
                    StateHasChanged();
                });
            });
        }
        if (_frames != before)
        {
            await ReplanAsync();
        }
    }

    private void ApplyTemplate(PromptTemplate template)
    {
        _templateId = template.Id;
        _prompt = template.Prompt;
        if (!_settingsEdited)
        {
            NarrationOptions defaults = template.ResolveOptions();
            _frames = defaults.Frames;
            _generation = defaults.Generation;
        }
    }

    private void OnPromptChanged(string prompt)
    {
        _prompt = prompt;
        RequestWorkspaceSave();
    }

    private async Task OnFramesChangedAsync(FrameOptions frames)
    {
        _frames = frames;
        _settingsEdited = true;
        RequestWorkspaceSave();
        // Only settings the server would accept are planned; the fields say what is wrong with the others.
        if (SettingsProblems.Count == 0)
        {
            await ReplanAsync();
        }
    }

    private void OnGenerationChanged(GenerationOptions generation)
    {
        _generation = generation;
        _settingsEdited = true;
        RequestWorkspaceSave();
    }

    /// <summary>Reset means the selected template's values (what choosing it gave), and switching templates follows them again.</summary>
    private async Task ResetSettingsAsync()
    {
        FrameOptions before = _frames;
        NarrationOptions values = TemplateValues;
        _frames = values.Frames;
        _generation = values.Generation;
        _settingsEdited = false;
        RequestWorkspaceSave();
        if (_frames != before)
        {
            await ReplanAsync();
        }
    }

    /// <summary>Re-plans the frames after a short pause, so typing "32" plans once, not for "3" and then "32".</summary>
    private async Task ReplanAsync()
    {
        if (_clip is null)
        {
            return;
        }
        _replanCancellation?.Cancel();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_pageLifetime.Token);
        _replanCancellation = cancellation;
        _replanning = true;
        try
        {
            await Task.Delay(ReplanDelay, Time, cancellation.Token);
            ClipInfo replanned = await Session.ReplanAsync(_clip.Id, _frames, cancellation.Token);
            if (!cancellation.IsCancellationRequested)
            {
                _clip = replanned;
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is UserInputException or ClipNotFoundException or NotYoursException)
        {
            _uploadError = ex is ClipNotFoundException ? Text.ClipGone : ex.Message;
        }
        finally
        {
            if (ReferenceEquals(_replanCancellation, cancellation))
            {
                _replanning = false;
                _replanCancellation = null;
            }
        }
    }

    // Narrating --------------------------------------------------------------------------------------------------------

    private NarrationRequest BuildRequest(string? templateId, string prompt, NarrationOptions? options = null) => new()
    {
        Subtitles = _subtitleChoice,
        Split = SplitMode.ToName(),
        ClipId = _clip!.Id,
        Template = templateId,
        Prompt = _templates.FirstOrDefault(template => template.Id == templateId)?.Prompt == prompt ? null : prompt,
        Frames = options?.Frames ?? _frames,
        Generation = options?.Generation ?? _generation,
    };

    private async Task DescribeAsync()
    {
        if (DescribeBlockedBy is not null)
        {
            return;
        }
        long clickedAt = Time.GetTimestamp();
        _processed = null;
        _shareUrl = null;
        _selectedSegment = null;
        NarrationRun run = NewRun(BuildRequest(_templateId, _prompt));
        _run = run;
        StateHasChanged();
        // The answer appears below the settings; on a short screen it would start out of sight. With Describe and Stop at the
        // top of the window, the status, the text box and the stats below them fit under it as they grow.
        await BringIntoViewAsync(_actionsRow, "start");
        await NarrateAsync(run, clickedAt);
        _processed = Process(run);
        await RefreshHistoryAsync();
    }

    private async Task CompareAsync((CompareChoice Left, CompareChoice Right) choices)
    {
        if (_clip is null || IsNarrating)
        {
            return;
        }
        // One after the other: the queue limits each visitor, and the second waits for the model anyway. Each side runs
        // with its own template's settings: that is what is being compared.
        _compareLeft = NewRun(BuildRequest(choices.Left.TemplateId, choices.Left.Prompt, OptionsOf(choices.Left.TemplateId)));
        _compareRight = NewRun(BuildRequest(choices.Right.TemplateId, choices.Right.Prompt, OptionsOf(choices.Right.TemplateId)));
        await NarrateAsync(_compareLeft, Time.GetTimestamp());
        if (_compareLeft.Status == NarrationStatus.Stopped)
        {
            _compareRight.MarkStopped();
        }
        else
        {
            await NarrateAsync(_compareRight, Time.GetTimestamp());
        }
        await RefreshHistoryAsync();
    }

    private NarrationOptions? OptionsOf(string? templateId) => _templates.FirstOrDefault(template => template.Id == templateId)?.ResolveOptions();

    /// <summary>
    /// Tags and JSON answers read the way their template says; only a finished answer is read. A long video's segments
    /// are read one by one on the server and shown in the segment list, so its joined text is not read again.
    /// </summary>
    private ProcessedOutput? Process(NarrationRun run) =>
        run.Status == NarrationStatus.Completed && run.Segments.Count == 0 && _templates.FirstOrDefault(template => template.Id == run.Request.Template) is { } template
            ? ProcessedOutput.For(template, run.Text)
            : null;

    private NarrationRun NewRun(NarrationRequest request) => new(request, _clip?.Label ?? "", Time.GetUtcNow());

    /// <summary>Starts <paramref name="run"/>'s narration (followed by this page, not tied to it) and reads its events until it ends.</summary>
    private async Task NarrateAsync(NarrationRun run, long clickedAt)
    {
        _stopRequested = false;
        StateHasChanged();
        (NarrationJob? job, FailedEvent? refusal) = await Session.StartAsync(run.Request, _pageLifetime.Token);
        if (job is null)
        {
            run.Apply(refusal!);
            StateHasChanged();
            return;
        }
        // The id is saved at once: a reload or a restart while it runs must find it, not the narration before it.
        run.MarkAccepted(job.Id);
        if (ReferenceEquals(run, _run))
        {
            RequestWorkspaceSave();
        }
        if (_stopRequested)
        {
            await Session.CancelAsync(job.Id, _pageLifetime.Token);
        }
        await ReadEventsAsync(run, job, clickedAt);
        if (ReferenceEquals(run, _run))
        {
            RequestWorkspaceSave();
        }
    }

    /// <summary>Folds the job's events (its whole log from the first) into <paramref name="run"/>, rendering as they come.</summary>
    private async Task ReadEventsAsync(NarrationRun run, NarrationJob job, long? clickedAt)
    {
        _followCancellation?.Dispose();
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_pageLifetime.Token);
        _followCancellation = cancellation;
        // Tokens re-render only the output panel; every other event (queue, stage, the end) re-renders the page.
        var pacer = new RenderPacer(() => RefreshOutputAsync(run), TokenRenderInterval, Time);
        try
        {
            await foreach (NarrationEvent narrationEvent in job.ReadEventsAsync(cancellation.Token))
            {
                run.Apply(narrationEvent);
                if (narrationEvent is TokenEvent && run.Status == NarrationStatus.Running)
                {
                    if (clickedAt is long clicked)
                    {
                        run.MarkFirstText(Time.GetElapsedTime(clicked));
                    }
                    await pacer.RequestAsync();
                }
                else
                {
                    StateHasChanged();
                }
            }
            run.MarkFailed(Text.StreamEnded);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The page went away; the narration goes on for a reload to pick up.
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogError(ex, "Narration {NarrationId} broke off", run.NarrationId);
            run.MarkFailed(Text.UnexpectedError);
        }
        if (pacer.Trailing is { } trailing)
        {
            await trailing;
        }
        StateHasChanged();
    }

    private Task RefreshOutputAsync(NarrationRun run) =>
        ReferenceEquals(run, _run) && _output is not null ? _output.RefreshAsync()
        : _compare is not null && (ReferenceEquals(run, _compareLeft) || ReferenceEquals(run, _compareRight)) ? _compare.RefreshOutputsAsync()
        : InvokeAsync(StateHasChanged);

    private async Task StopAsync()
    {
        _stopRequested = true;
        foreach (NarrationRun? run in new[] { _run, _compareLeft, _compareRight })
        {
            if (run is { IsActive: true, NarrationId: { Length: > 0 } id })
            {
                await Session.CancelAsync(id, _pageLifetime.Token);
            }
        }
        // A Compare side that has not been sent yet will not be.
        if (_compareRight is { Status: NarrationStatus.Submitting, NarrationId: null })
        {
            _compareRight.MarkStopped();
        }
    }

    /// <summary>Esc and Ctrl+Enter from anywhere on the page (the document listener in narrator.js).</summary>
    [JSInvokable]
    public Task OnShortcut(string action) => InvokeAsync(async () =>
    {
        if (action == "stop" && IsNarrating)
        {
            await StopAsync();
        }
        else if (action == "describe" && !IsNarrating)
        {
            if (_tab == 1 && _compare is not null)
            {
                await _compare.RunAsync();
            }
            else if (_tab == 0)
            {
                await DescribeAsync();
            }
        }
        StateHasChanged();
    });

    // Sharing ----------------------------------------------------------------------------------------------------------

    private async Task RefreshShareAsync()
    {
        _shareUrl = _run is { Status: NarrationStatus.Completed, NarrationId: { } id }
            && await Shares.TokenOfAsync(id, _pageLifetime.Token) is { } token
            ? Navigation.ToAbsoluteUri(ShareLinks.PagePath(token)).ToString()
            : null;
    }

    private async Task ToggleShareAsync()
    {
        if (_run is not { Status: NarrationStatus.Completed, NarrationId: { } id })
        {
            return;
        }
        try
        {
            if (_shareUrl is null)
            {
                var shared = await Shares.PublishAsync(id, Session.Owner, _pageLifetime.Token);
                _shareUrl = Navigation.ToAbsoluteUri(shared.PagePath).ToString();
            }
            else
            {
                await Shares.RevokeAsync(id, Session.Owner, _pageLifetime.Token);
                _shareUrl = null;
                Snackbar.Add(Text.ShareRevoked, Severity.Info);
            }
        }
        catch (Exception ex) when (ex is NotYoursException or ShareRefusedException or StorageFullException)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
    }

    // History ----------------------------------------------------------------------------------------------------------

    private async Task RefreshHistoryAsync()
    {
        try
        {
            _history = await Session.HistoryAsync(20, _pageLifetime.Token);
            await InvokeAsync(StateHasChanged);
        }
        catch (OperationCanceledException) when (_pageLifetime.IsCancellationRequested)
        {
        }
    }

    /// <summary>A stored narration on the Describe tab, with its own clip when that is still on the server.</summary>
    private void ShowRecord(NarrationRecord record)
    {
        _run = NarrationRun.FromRecord(record);
        _processed = Process(_run);
        _selectedSegment = null;
        if (_clip?.Id != record.ClipId)
        {
            _clip = Session.OwnClip(record.ClipId);
            _clipSegments = null;
            _uploadError = _clip is null ? Text.HistoryClipGone(record.ClipLabel) : null;
            if (_clip is not null)
            {
                _ = LoadClipSegmentsAsync();
            }
        }
    }

    private async Task OpenHistoryAsync(NarrationRecord record)
    {
        if (IsNarrating)
        {
            return;
        }
        ShowRecord(record);
        _tab = 0;
        await RefreshShareAsync();
        RequestWorkspaceSave();
    }

    /// <summary>
    /// A search hit: its narration opens on the Describe tab; a segment hit selects that segment and, when the clip is
    /// still on the server, loads it in the preview and seeks to the segment.
    /// </summary>
    private async Task OpenSearchHitAsync(Narrator.Model.Search.SearchHit hit)
    {
        if (await Session.NarrationAsync(hit.Document.NarrationId, _pageLifetime.Token) is not { } record)
        {
            return;
        }
        await OpenHistoryAsync(record);
        _selectedSegment = hit.Document.SegmentIndex;
        try
        {
            if (_clip?.Id != record.ClipId)
            {
                _clip = await Session.ReplanAsync(record.ClipId, record.Frames, _pageLifetime.Token);
            }
        }
        catch (ClipNotFoundException)
        {
            // The clip has expired: the narration is still there to read.
            return;
        }
        // Sought after the next render, once the preview holds the clip.
        _pendingSeek = hit.Document.StartSeconds;
        StateHasChanged();
    }

    private async Task RerunAsync(NarrationRecord record)
    {
        try
        {
            _frames = record.Frames;
            _generation = record.Generation;
            _settingsEdited = true;
            if (record.Template is not null && _templates.Any(template => template.Id == record.Template))
            {
                _templateId = record.Template;
            }
            _prompt = record.Prompt;
            _clip = await Session.ReplanAsync(record.ClipId, _frames, _pageLifetime.Token);
        }
        catch (ClipNotFoundException)
        {
            _uploadError = Text.ClipGone;
            return;
        }
        catch (NotYoursException ex)
        {
            _uploadError = ex.Message;
            return;
        }
        _tab = 0;
        await DescribeAsync();
    }

    /// <summary>The clip on show got its preview or exact frames in the background: show them.</summary>
    private void OnClipUpdated(ClipInfo clip) => _ = InvokeAsync(() =>
    {
        if (_clip?.Id == clip.Id && !_pageLifetime.IsCancellationRequested)
        {
            // The store's record is the latest (a re-plan meanwhile is in it too).
            _clip = clip;
            StateHasChanged();
        }
    });

    public async ValueTask DisposeAsync()
    {
        Session.ClipUpdated -= OnClipUpdated;
        _pageLifetime.Cancel();
        _pageLifetime.Dispose();
        _followCancellation?.Dispose();
        if (_shortcuts is not null)
        {
            try
            {
                await _shortcuts.InvokeVoidAsync("dispose");
                await _shortcuts.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The page is gone and its listener with it.
            }
        }
        _self?.Dispose();
        if (_script is not null)
        {
            await _script.DisposeAsync();
        }
    }
}
