using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Options;
using Narrator.Model;
using Narrator.Model.Generation;
using Narrator.Model.Media;
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
using Narrator.Web.Workbench;

namespace Narrator.Web.Components.Pages;

/// <summary>
/// The Space page: composes the components and calls the visitor's <see cref="NarrationSession"/> for uploads,
/// re-plans, narrations and history. Streamed tokens re-render at most every <see cref="TokenRenderInterval"/>.
/// </summary>
public sealed partial class Home : ComponentBase, IAsyncDisposable
{
    /// <summary>Fast enough to read as smooth growth, slow enough not to flood the circuit with a fast model.</summary>
    public static readonly TimeSpan TokenRenderInterval = TimeSpan.FromMilliseconds(30);

    private static readonly TimeSpan ReplanDelay = TimeSpan.FromMilliseconds(300);

    private readonly CancellationTokenSource _pageLifetime = new();
    private ClipPreview? _preview;
    private NarrationOutput? _output;
    private CompareView? _compare;
    private NarratorScript? _script;

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
    private Narrator.Model.Segmentation.SegmentationMode? _splitModeChoice;
    private IReadOnlyList<Narrator.Model.Exports.NarrationSegment>? _clipSegments;
    private bool _settingsEdited;
    private double? _pendingSeek;
    /// <summary>What the subtitle panel says requests should put into the prompt ("auto", "off", "file", "stream:N").</summary>
    private string _subtitleChoice = "auto";

    private NarrationRun? _run;
    private ProcessedOutput? _processed;
    private NarrationRun? _compareLeft;
    private NarrationRun? _compareRight;
    private CancellationTokenSource? _narrationCancellation;
    private int _tab;
    private int? _selectedSegment;
    private bool _interactive;

    [Inject] private NarrationSession Session { get; set; } = null!;
    [Inject] private EngineHost EngineHost { get; set; } = null!;
    [Inject] private IOptions<UploadOptions> UploadOptions { get; set; } = null!;
    [Inject] private IOptions<Narrator.Web.Services.Queue.QueueOptions> QueueOptions { get; set; } = null!;

    [Inject] private IOptions<Narrator.Model.Segmentation.SegmentationOptions> SegmentationOptions { get; set; } = null!;
    [Inject] private IWebHostEnvironment Environment { get; set; } = null!;
    [Inject] private IConfiguration Configuration { get; set; } = null!;
    [Inject] private TimeProvider Time { get; set; } = null!;
    [Inject] private ILogger<Home> Logger { get; set; } = null!;
    [Inject] private Microsoft.JSInterop.IJSRuntime JS { get; set; } = null!;

    [CascadingParameter] public UiPreferences Preferences { get; set; } = null!;
    [CascadingParameter] public UiText Text { get; set; } = UiText.English;

    private long MaxUploadBytes => UploadOptions.Value.MaxBytes;

    private string ModelDocsUrl => Configuration["Narrator:Ui:ModelDocsUrl"] ?? ModelGuide.Route;

    private PromptTemplate? SelectedTemplate => _templates.FirstOrDefault(template => template.Id == _templateId);

    private bool IsNarrating => _run?.IsActive == true || _compareLeft?.IsActive == true || _compareRight?.IsActive == true;

    private bool CanDescribe => _clip is not null && !IsNarrating && _uploadName is null && !string.IsNullOrWhiteSpace(_prompt);


    protected override async Task OnInitializedAsync()
    {
        _examples = new ExampleCatalog(Environment.WebRootFileProvider).Load();
        ReadEngineStatus();
        _templates = await Session.TemplatesAsync(_pageLifetime.Token);
        if (_templates.Count > 0)
        {
            ApplyTemplate(_templates.FirstOrDefault(template => template.Id == TemplateCatalogue.DefaultTemplateId) ?? _templates[0]);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_pendingSeek is double seek)
        {
            _pendingSeek = null;
            await SeekAsync(seek);
        }
        if (firstRender)
        {
            // Prerendered markup is visible before the circuit connects; this says the buttons work now.
            _interactive = true;
            Session.ClipUpdated += OnClipUpdated;
            Session.WatchClips();
            await RefreshHistoryAsync();
            if (_engine is null && _engineError is null)
            {
                _ = WaitForEngineAsync();
            }
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
        _script ??= new NarratorScript(JS);
        await _script.SetDocumentLanguageAsync(UiText.For(language).LanguageTag);
    }

    // Upload ---------------------------------------------------------------------------------------------------------

    private async Task UploadAsync(IBrowserFile file)
    {
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
            ShowClip(await Session.UploadAsync(stream, file.Name, _frames, cancellation.Token));
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

    private void CancelUpload() => _uploadCancellation?.Cancel();

    private async Task LoadExampleAsync(ExampleClip example)
    {
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
            ShowClip(await Session.UploadAsync(stream, example.File, _frames, _pageLifetime.Token));
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

    private void ShowClip(ClipInfo clip)
    {
        _clip = clip;
        _run = null;
        _compareLeft = _compareRight = null;
        _ = LoadClipSegmentsAsync();
    }

    private static readonly IReadOnlySet<int> NothingNarrated = new HashSet<int>();

    /// <summary>A long clip's segments, shown on a timeline under its frames before anything is narrated.</summary>
    private async Task LoadClipSegmentsAsync()
    {
        _clipSegments = null;
        if (_clip is not { } clip)
        {
            return;
        }
        var mode = _splitMode;
        try
        {
            var planned = await Session.PlanSegmentsAsync(clip.Id, mode, _pageLifetime.Token);
            // Another clip or split mode may have been chosen meanwhile; only the latest plan is shown.
            if (_clip?.Id == clip.Id && _splitMode == mode)
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

    private Task SeekAsync(double seconds) => _preview?.SeekAsync(seconds) ?? Task.CompletedTask;

    /// <summary>A segment clicked on the timeline: the preview jumps to its start and its text is highlighted.</summary>
    private Task SelectSegmentAsync(Narrator.Model.Exports.NarrationSegment segment)
    {
        _selectedSegment = segment.Index;
        return SeekAsync(segment.StartSeconds);
    }

    // Template, prompt and settings ----------------------------------------------------------------------------------

    private async Task SelectTemplateAsync(string id)
    {
        if (_templates.FirstOrDefault(template => template.Id == id) is not { } template)
        {
            return;
        }
        FrameOptions before = _frames;
        ApplyTemplate(template);
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

    private async Task OnFramesChangedAsync(FrameOptions frames)
    {
        _frames = frames;
        _settingsEdited = true;
        await ReplanAsync();
    }

    private void OnGenerationChanged(GenerationOptions generation)
    {
        _generation = generation;
        _settingsEdited = true;
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
        catch (Exception ex) when (ex is UserInputException or ClipNotFoundException)
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

    /// <summary>How a long clip is split: the server's default until the person picks one.</summary>
    private Narrator.Model.Segmentation.SegmentationMode _splitMode
    {
        get => _splitModeChoice ?? SegmentationOptions.Value.Mode;
        set => _splitModeChoice = value;
    }

    private NarrationRequest BuildRequest(string? templateId, string prompt) => new()
    {
        Subtitles = _subtitleChoice,
        Split = _splitMode == Narrator.Model.Segmentation.SegmentationMode.Fixed ? "fixed" : "scenes",
        ClipId = _clip!.Id,
        Template = templateId,
        Prompt = _templates.FirstOrDefault(template => template.Id == templateId)?.Prompt == prompt ? null : prompt,
        Frames = _frames,
        Generation = _generation,
    };

    private async Task DescribeAsync()
    {
        if (!CanDescribe)
        {
            return;
        }
        _processed = null;
        _selectedSegment = null;
        NarrationRun run = NewRun(BuildRequest(_templateId, _prompt));
        _run = run;
        await NarrateAsync(run);
        _processed = Process(run);
        await RefreshHistoryAsync();
    }

    private async Task CompareAsync((CompareChoice Left, CompareChoice Right) choices)
    {
        if (_clip is null || IsNarrating)
        {
            return;
        }
        // One after the other: the queue limits each visitor, and the second waits for the model anyway.
        _compareLeft = NewRun(BuildRequest(choices.Left.TemplateId, choices.Left.Prompt));
        _compareRight = NewRun(BuildRequest(choices.Right.TemplateId, choices.Right.Prompt));
        await NarrateAsync(_compareLeft);
        if (_compareLeft.Status == NarrationStatus.Stopped)
        {
            _compareRight.MarkStopped();
        }
        else
        {
            await NarrateAsync(_compareRight);
        }
        await RefreshHistoryAsync();
    }

    /// <summary>
    /// Tags and JSON answers read the way their template says; only a finished answer is read. A long video's segments
    /// are read one by one on the server and shown in the segment list, so its joined text is not read again.
    /// </summary>
    private ProcessedOutput? Process(NarrationRun run) =>
        run.Status == NarrationStatus.Completed && run.Segments.Count == 0 && _templates.FirstOrDefault(template => template.Id == run.Request.Template) is { } template
            ? ProcessedOutput.For(template, run.Text)
            : null;

    private NarrationRun NewRun(NarrationRequest request) => new(request, _clip?.Label ?? "", Time.GetUtcNow());

    /// <summary>Reads the narration's events into <paramref name="run"/> until it ends, rendering as it goes.</summary>
    private async Task NarrateAsync(NarrationRun run)
    {
        _narrationCancellation?.Dispose();
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_pageLifetime.Token);
        _narrationCancellation = cancellation;
        // Tokens re-render only the output panel; every other event (queue, stage, the end) re-renders the page.
        var pacer = new RenderPacer(() => RefreshOutputAsync(run), TokenRenderInterval, Time);
        StateHasChanged();
        try
        {
            await foreach (NarrationEvent narrationEvent in Session.NarrateAsync(run.Request, cancellation.Token))
            {
                run.Apply(narrationEvent);
                if (narrationEvent is TokenEvent && run.Status == NarrationStatus.Running)
                {
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
            run.MarkStopped();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogError(ex, "Narration {NarrationId} broke off", run.NarrationId);
            run.MarkFailed(ex is UserInputException ? ex.Message : Text.UnexpectedError);
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
        foreach (NarrationRun? run in new[] { _run, _compareLeft, _compareRight })
        {
            // Cancelling by id lets the stream end with the partial text; cancelling the read is the fallback.
            if (run is { IsActive: true, NarrationId: { Length: > 0 } id } && await Session.CancelAsync(id, _pageLifetime.Token))
            {
                return;
            }
        }
        _narrationCancellation?.Cancel();
    }

    private async Task OnPageKeyDownAsync(KeyboardEventArgs args)
    {
        if (args.Key == "Escape" && IsNarrating)
        {
            await StopAsync();
        }
    }

    // History ----------------------------------------------------------------------------------------------------------

    private async Task RefreshHistoryAsync()
    {
        try
        {
            _history = await Session.HistoryAsync(20, _pageLifetime.Token);
            StateHasChanged();
        }
        catch (OperationCanceledException) when (_pageLifetime.IsCancellationRequested)
        {
        }
    }

    private void OpenHistory(NarrationRecord record)
    {
        _run = NarrationRun.FromRecord(record);
        _processed = Process(_run);
        _tab = 0;
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
        OpenHistory(record);
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
        if (_script is not null)
        {
            await _script.DisposeAsync();
        }
    }
}
