using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using MudBlazor;
using Narrator.Model.Exports;
using Narrator.Model.Search;
using Narrator.Model.Segmentation;
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
using Narrator.Web.Workbench;

namespace Narrator.Web.Components.Pages;

/// <summary>
/// The Space page: composes the components over its <see cref="WorkbenchModel"/> (settings, clip, narrations, share link,
/// history, saved workspace) and adds what needs the browser — the new-clip question, scrolling, seeking, keyboard
/// shortcuts and tabs. Streamed tokens re-render only the output panel, at most every <see cref="TokenRenderInterval"/>.
/// </summary>
public sealed partial class Home : ComponentBase, IAsyncDisposable
{
    /// <summary>Fast enough to read as smooth growth, slow enough not to flood the circuit with a fast model.</summary>
    public static readonly TimeSpan TokenRenderInterval = TimeSpan.FromMilliseconds(30);

    private static readonly IReadOnlySet<int> NothingNarrated = new HashSet<int>();

    private readonly CancellationTokenSource _pageLifetime = new();
    private WorkbenchModel _model = null!;
    private EngineWatch _engine = null!;
    private IReadOnlyList<ExampleClip> _examples = [];
    private ClipPreview? _preview;
    private NarrationOutput? _output;
    private ElementReference _actionsRow;
    private CompareView? _compare;
    private PageScript? _script;
    private DotNetObjectReference<Home>? _self;
    private double? _pendingSeek;
    private int _tab;
    private bool _interactive;
    private bool _apiOpen;

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

    private WorkbenchSettings Settings => _model.Settings;
    private WorkbenchClip Clip => _model.Clip;
    private WorkbenchRuns Runs => _model.Runs;
    private bool IsNarrating => _model.IsNarrating;
    private string? DescribeBlockedBy => _model.DescribeBlockedBy(Text);
    private long MaxUploadBytes => UploadOptions.Value.MaxBytes;
    private string ModelDocsUrl => Configuration["Narrator:Ui:ModelDocsUrl"] ?? ModelGuide.Route;

    protected override async Task OnInitializedAsync()
    {
        var settings = new WorkbenchSettings(SegmentationOptions.Value.Mode, QueueOptions.Value.MaxNewTokensLimit);
        _model = new WorkbenchModel(Session, Shares, Navigation, settings, Time, Logger, TokenRenderInterval, () => InvokeAsync(StateHasChanged),
            RefreshOutputAsync, InvokeAsync, _pageLifetime.Token);
        _engine = new EngineWatch(EngineHost, Logger);
        _engine.Read();
        _examples = new ExampleCatalog(Environment.WebRootFileProvider).Load();
        // Prerendering too: the first byte already shows the visitor's clip, settings and last narration.
        await _model.OpenAsync();
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
        Session.ClipUpdated += OnClipUpdated;
        Session.WatchClips();
        _script = new PageScript(JS, Logger);
        _self = DotNetObjectReference.Create(this);
        await _script.RegisterShortcutsAsync(_self);
        if (_engine.IsLoading)
        {
            _ = _engine.WaitAsync(() => InvokeAsync(StateHasChanged), _pageLifetime.Token);
        }
        await _model.GoLiveAsync(Text);
    }

    /// <summary>The clip on show got its preview or exact frames in the background: show them.</summary>
    private void OnClipUpdated(ClipInfo clip) => _ = InvokeAsync(() =>
    {
        if (!_pageLifetime.IsCancellationRequested && Clip.Update(clip))
        {
            StateHasChanged();
        }
    });

    private async Task SetLanguageAsync(UiLanguage language)
    {
        Preferences.SetLanguage(language);
        await (_script?.SetDocumentLanguageAsync(UiText.For(language).LanguageTag) ?? Task.CompletedTask);
    }

    private async Task UploadAsync(IBrowserFile file)
    {
        if (await StopForNewClipAsync(file.Name))
        {
            await _model.UploadAsync(file, MaxUploadBytes, Text);
        }
    }

    private async Task LoadExampleAsync(ExampleClip example)
    {
        var catalog = new ExampleCatalog(Environment.WebRootFileProvider);
        if (await StopForNewClipAsync(example.File) && await _model.LoadExampleAsync(example, () => catalog.Open(example)))
        {
            // On a phone the clip is far above the examples: show it.
            StateHasChanged();
            await (_script?.BringIntoViewAsync(_preview?.Element) ?? Task.CompletedTask);
        }
    }

    /// <summary>A new clip while a narration runs would leave it running unseen: ask first, and stop it when the visitor agrees.</summary>
    private async Task<bool> StopForNewClipAsync(string name)
    {
        if (!IsNarrating)
        {
            return true;
        }
        bool? stop = await Dialogs.ShowMessageBoxAsync(Text.NewClipTitle, Text.NewClipQuestion(name), yesText: Text.StopAndLoad, cancelText: Text.KeepNarrating);
        if (stop == true)
        {
            await StopAsync();
        }
        return stop == true;
    }

    private Task SeekAsync(double seconds) => _preview?.SeekAsync(seconds) ?? Task.CompletedTask;

    /// <summary>A segment clicked on the timeline or in the list: the player jumps to its start, and both it and the text come into view.</summary>
    private async Task SelectSegmentAsync(NarrationSegment segment)
    {
        _model.SelectedSegment = segment.Index;
        await SeekAsync(segment.StartSeconds);
        StateHasChanged();
        await (_script?.ShowSegmentAsync(_preview?.Element, segment.Index) ?? Task.CompletedTask);
    }

    private async Task DescribeAsync()
    {
        long clickedAt = Time.GetTimestamp();
        if (_model.BeginDescribe(Text) is not { } run)
        {
            return;
        }
        StateHasChanged();
        // The answer appears below the settings; on a short screen it would start out of sight. With Describe and Stop at the
        // top of the window, the status, the text box and the stats below them fit under it as they grow.
        await (_script?.BringIntoViewAsync(_actionsRow, "start") ?? Task.CompletedTask);
        await _model.DescribeAsync(run, clickedAt, Text);
    }

    private Task CompareAsync((CompareChoice Left, CompareChoice Right) choices) => _model.CompareAsync(choices.Left, choices.Right, Text);

    private Task StopAsync() => Runs.StopAsync();

    private Task RefreshOutputAsync(NarrationRun run) =>
        ReferenceEquals(run, Runs.Run) && _output is not null ? _output.RefreshAsync()
        : _compare is not null && (ReferenceEquals(run, Runs.CompareLeft) || ReferenceEquals(run, Runs.CompareRight)) ? _compare.RefreshOutputsAsync()
        : InvokeAsync(StateHasChanged);

    /// <summary>Esc and Ctrl+Enter from anywhere on the page (the document listener in narrator.js).</summary>
    [JSInvokable]
    public Task OnShortcut(string action) => InvokeAsync(async () =>
    {
        if (action == "stop" && IsNarrating)
        {
            await StopAsync();
        }
        else if (action == "describe" && !IsNarrating && _tab == 1 && _compare is not null)
        {
            await _compare.RunAsync();
        }
        else if (action == "describe" && !IsNarrating && _tab == 0)
        {
            await DescribeAsync();
        }
        StateHasChanged();
    });

    private async Task ToggleShareAsync()
    {
        try
        {
            if (await _model.Share.ToggleAsync(Runs.Run))
            {
                Snackbar.Add(Text.ShareRevoked, Severity.Info);
            }
        }
        catch (Exception ex) when (ex is NotYoursException or ShareRefusedException or StorageFullException)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
    }

    private async Task OpenHistoryAsync(NarrationRecord record) => _tab = await _model.OpenAsync(record, Text) ? 0 : _tab;

    /// <summary>A search hit opens on the Describe tab; the preview seeks to its segment after the next render, once it holds the clip.</summary>
    private async Task OpenSearchHitAsync(SearchHit hit)
    {
        (bool opened, _pendingSeek) = await _model.OpenAsync(hit, Text);
        _tab = opened ? 0 : _tab;
    }

    private async Task DeleteHistoryAsync(NarrationRecord record)
    {
        DeleteOutcome outcome;
        try
        {
            outcome = await _model.DeleteAsync(record);
        }
        catch (StorageFullException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
            return;
        }
        switch (outcome)
        {
            case DeleteOutcome.Deleted or DeleteOutcome.Unknown:
                Snackbar.Add(Text.NarrationDeleted, Severity.Info);
                break;
            case DeleteOutcome.StillRunning:
                Snackbar.Add(Text.DeleteStillRunning, Severity.Warning);
                break;
        }
    }

    private async Task RerunAsync(NarrationRecord record)
    {
        if (await _model.PrepareRerunAsync(record, Text))
        {
            _tab = 0;
            await DescribeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Session.ClipUpdated -= OnClipUpdated;
        _pageLifetime.Cancel();
        _pageLifetime.Dispose();
        _model?.Dispose();
        if (_script is not null)
        {
            await _script.DisposeAsync();
        }
        _self?.Dispose();
    }
}
