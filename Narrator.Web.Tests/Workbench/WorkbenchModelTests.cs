using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Web.Localization;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Sharing;
using Narrator.Web.Services.Visitors;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Workbench;

/// <summary>A server whose engine writes one token per <see cref="ScriptedChatClient.Step"/>, so a test decides when a narration runs and ends.</summary>
public sealed class GatedServerFixture() : ScriptedServerFixture(() => new ScriptedChatClient(tokens: 3, gated: true),
    new Dictionary<string, string?> { ["Narrator:Queue:PerOwnerLimit"] = "4" });

/// <summary>
/// The Space page's model without a browser, against a real visitor session of the app (gated scripted engine): uploads,
/// narrations, Stop, Compare, the history, re-runs and the workspace a reload opens.
/// </summary>
public sealed class WorkbenchModelTests(GatedServerFixture fixture) : IClassFixture<GatedServerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly UiText Text = UiText.English;
    private readonly List<AsyncServiceScope> scopes = [];
    private readonly CancellationTokenSource lifetime = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await lifetime.CancelAsync();
        foreach (var scope in scopes)
        {
            await scope.DisposeAsync();
        }
        lifetime.Dispose();
    }

    /// <summary>A page opened by a new visitor, or by the visitor of <paramref name="sameVisitorAs"/> (a reload or another tab).</summary>
    private async Task<(WorkbenchModel Model, NarrationSession Session)> OpenPageAsync(NarrationSession? sameVisitorAs = null)
    {
        var scope = fixture.Server.Services.CreateAsyncScope();
        scopes.Add(scope);
        if (sameVisitorAs is not null)
        {
            scope.ServiceProvider.GetRequiredService<CircuitVisitor>().Set(sameVisitorAs.Owner.Value, null);
        }
        var session = scope.ServiceProvider.GetRequiredService<NarrationSession>();
        var model = new WorkbenchModel(session, scope.ServiceProvider.GetRequiredService<ShareLinks>(), new TestNavigation(),
            new WorkbenchSettings(SegmentationMode.Scenes, new QueueOptions().MaxNewTokensLimit), TimeProvider.System, NullLogger.Instance, TimeSpan.FromMilliseconds(30),
            () => Task.CompletedTask, _ => Task.CompletedTask, work => work(), lifetime.Token);
        await model.OpenAsync();
        await model.GoLiveAsync(Text);
        return (model, session);
    }

    private static async Task<WorkbenchModel> WithClipAsync(WorkbenchModel model)
    {
        Assert.True(await model.UploadAsync(new BrowserFile(await TestClips.Mp4Async()), 100_000_000, Text), model.Clip.Error);
        return model;
    }

    /// <summary>Presses Describe and lets the engine write its first token: the run, and the narration still going.</summary>
    private async Task<(NarrationRun Run, Task Narrating)> DescribeFirstTokenAsync(WorkbenchModel model)
    {
        NarrationRun run = model.BeginDescribe(Text) ?? throw new InvalidOperationException(model.DescribeBlockedBy(Text));
        Task narrating = model.DescribeAsync(run, TimeProvider.System.GetTimestamp(), Text);
        fixture.Engine.Step();
        await Eventually(() => Task.FromResult(run.Text.Length > 0 || run.IsFinished));
        Assert.True(run.Text.Length > 0, run.Error);
        return (run, narrating);
    }

    /// <summary>Describe to the end (the engine writes three tokens).</summary>
    private async Task<NarrationRun> DescribeAsync(WorkbenchModel model)
    {
        var (run, narrating) = await DescribeFirstTokenAsync(model);
        fixture.Engine.Step(2);
        await narrating.WaitAsync(Wait);
        return run;
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not come true in time.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task AnUploadShowsTheClipAndAFileThatIsNotMediaLeavesItWithTheServersSentence()
    {
        var (model, _) = await OpenPageAsync();
        Assert.Equal(Text.NeedClip, model.DescribeBlockedBy(Text));

        await WithClipAsync(model);
        ClipInfo shown = model.Clip.Info!;
        Assert.NotEmpty(shown.Frames);
        Assert.Null(model.DescribeBlockedBy(Text));

        string notMedia = Path.Combine(fixture.Server.DataPath, "notes.mp4");
        await File.WriteAllTextAsync(notMedia, "this is not a video");
        Assert.False(await model.UploadAsync(new BrowserFile(notMedia), 100_000_000, Text));

        Assert.False(string.IsNullOrWhiteSpace(model.Clip.Error));
        Assert.Same(shown, model.Clip.Info);
        Assert.False(model.Clip.IsUploading);
    }

    [Fact]
    public async Task DescribeNarratesToTheEndListsItInTheHistoryAndAReloadShowsItWithItsClip()
    {
        var (model, session) = await OpenPageAsync();
        await WithClipAsync(model);

        NarrationRun run = await DescribeAsync(model);

        Assert.Equal(NarrationStatus.Completed, run.Status);
        Assert.Same(run, model.Runs.Run);
        Assert.Contains("#2", run.Text);
        Assert.NotNull(run.FirstTextAfter);
        Assert.Contains(model.History, record => record.Id == run.NarrationId);
        await Eventually(async () => (await session.LoadWorkspaceAsync(CancellationToken.None))?.NarrationId == run.NarrationId);

        var (reloaded, _) = await OpenPageAsync(sameVisitorAs: session);
        Assert.Equal(model.Clip.Info!.Id, reloaded.Clip.Info?.Id);
        Assert.Equal(run.NarrationId, reloaded.Runs.Run?.NarrationId);
        Assert.Equal(run.Text, reloaded.Runs.Run?.Text);
    }

    [Fact]
    public async Task DeletingTheNarrationOnShowTakesItOffThePageAndOutOfTheHistoryAndAReloadDoesNotBringItBack()
    {
        var (model, session) = await OpenPageAsync();
        await WithClipAsync(model);
        NarrationRun run = await DescribeAsync(model);
        NarrationRun other = await DescribeAsync(model);
        await Eventually(async () => (await session.LoadWorkspaceAsync(CancellationToken.None))?.NarrationId == other.NarrationId);
        var shown = model.History.Single(record => record.Id == other.NarrationId);

        var outcome = await model.DeleteAsync(shown);

        Assert.Equal(DeleteOutcome.Deleted, outcome);
        Assert.Null(model.Runs.Run);
        Assert.DoesNotContain(model.History, record => record.Id == other.NarrationId);
        Assert.Contains(model.History, record => record.Id == run.NarrationId);
        Assert.Null(await session.NarrationAsync(other.NarrationId!, CancellationToken.None));
        var (reloaded, _) = await OpenPageAsync(sameVisitorAs: session);
        Assert.Null(reloaded.Runs.Run);
        Assert.DoesNotContain(reloaded.History, record => record.Id == other.NarrationId);
    }

    [Fact]
    public async Task ANarrationDeletedInOneTabLeavesTheVisitorsOtherTabsHistoryDescribeTabAndComparePicksWithoutAReload()
    {
        var (first, session) = await OpenPageAsync();
        await WithClipAsync(first);
        NarrationRun deleted = await DescribeAsync(first);
        NarrationRun kept = await DescribeAsync(first);
        var (other, _) = await OpenPageAsync(sameVisitorAs: session);
        var (stranger, _) = await OpenPageAsync();
        await WithClipAsync(other);
        var template = other.Settings.Templates[0];
        Task comparing = other.CompareAsync(new CompareChoice(template.Id, template.Prompt), new CompareChoice(template.Id, "Other words."), Text);
        fixture.Engine.Step(6);
        await comparing.WaitAsync(Wait);
        string compared = other.Runs.CompareLeft!.NarrationId!;
        Assert.True(await other.OpenAsync(other.History.Single(record => record.Id == deleted.NarrationId), Text));
        Assert.Equal(deleted.NarrationId, other.Runs.Run?.NarrationId);

        var outcome = await first.DeleteAsync(first.History.Single(record => record.Id == deleted.NarrationId));
        await Eventually(() => Task.FromResult(other.History.All(record => record.Id != deleted.NarrationId) && other.Runs.Run is null));
        await Eventually(async () => (await session.LoadWorkspaceAsync(CancellationToken.None))?.NarrationId is null);
        await session.DeleteAsync(compared, CancellationToken.None);
        await Eventually(() => Task.FromResult(other.Runs.CompareLeft is null && other.History.All(record => record.Id != compared)));

        Assert.Equal(DeleteOutcome.Deleted, outcome);
        Assert.Contains(other.History, record => record.Id == kept.NarrationId);
        Assert.Null(other.Runs.Run);
        Assert.NotNull(other.Runs.CompareRight);
        Assert.Equal(kept.NarrationId, first.Runs.Run?.NarrationId);
        Assert.Empty(stranger.History);
    }

    [Fact]
    public async Task DeletingOneSideOfACompareDropsThatPickAndKeepsTheOther()
    {
        var (model, _) = await OpenPageAsync();
        await WithClipAsync(model);
        var template = model.Settings.Templates[0];

        Task comparing = model.CompareAsync(new CompareChoice(template.Id, template.Prompt), new CompareChoice(template.Id, "Other words."), Text);
        fixture.Engine.Step(6);
        await comparing.WaitAsync(Wait);
        string left = model.Runs.CompareLeft!.NarrationId!;
        var outcome = await model.DeleteAsync(model.History.Single(record => record.Id == left));

        Assert.Equal(DeleteOutcome.Deleted, outcome);
        Assert.Null(model.Runs.CompareLeft);
        Assert.Equal(NarrationStatus.Completed, model.Runs.CompareRight?.Status);
        Assert.DoesNotContain(model.History, record => record.Id == left);
    }

    [Fact]
    public async Task StopEndsTheNarrationAndKeepsItsTextSoFar()
    {
        var (model, _) = await OpenPageAsync();
        await WithClipAsync(model);
        var (run, narrating) = await DescribeFirstTokenAsync(model);
        Assert.True(model.IsNarrating);
        Assert.Equal(Text.Stop + ": Esc", model.DescribeBlockedBy(Text));

        await model.Runs.StopAsync();
        await narrating.WaitAsync(Wait);

        Assert.Equal(NarrationStatus.Stopped, run.Status);
        Assert.Contains("#0", run.Text);
        Assert.False(model.IsNarrating);
    }

    [Fact]
    public async Task StoppingTheLeftSideOfACompareMeansTheRightOneIsNeverSent()
    {
        var (model, _) = await OpenPageAsync();
        await WithClipAsync(model);
        var template = model.Settings.Templates[0];
        int requestsBefore = fixture.Engine.Requests.Count;

        Task comparing = model.CompareAsync(new CompareChoice(template.Id, template.Prompt), new CompareChoice(template.Id, "Other words."), Text);
        fixture.Engine.Step();
        await Eventually(() => Task.FromResult(model.Runs.CompareLeft is { } left && (left.Text.Length > 0 || left.IsFinished)));
        Assert.True(model.Runs.CompareLeft!.Text.Length > 0, model.Runs.CompareLeft.Error);
        await model.Runs.StopAsync();
        await comparing.WaitAsync(Wait);

        Assert.Equal(NarrationStatus.Stopped, model.Runs.CompareLeft!.Status);
        Assert.Equal(NarrationStatus.Stopped, model.Runs.CompareRight!.Status);
        Assert.Null(model.Runs.CompareRight.NarrationId);
        Assert.Equal(requestsBefore + 1, fixture.Engine.Requests.Count);
    }

    [Fact]
    public async Task ANewClipTakesTheNarrationOfTheOneBeforeOffThePage()
    {
        var (model, _) = await OpenPageAsync();
        await WithClipAsync(model);
        await DescribeAsync(model);
        model.SelectedSegment = 0;

        await WithClipAsync(model);

        Assert.Null(model.Runs.Run);
        Assert.Null(model.SelectedSegment);
        Assert.Null(model.Share.UrlFor(model.Runs.Run));
    }

    [Fact]
    public async Task AStoredNarrationWhoseClipHasExpiredOpensWithASentenceAndItsRerunSaysTheClipIsGone()
    {
        var (model, _) = await OpenPageAsync();
        await WithClipAsync(model);
        NarrationRun run = await DescribeAsync(model);
        NarrationRecord expired = model.History.Single(record => record.Id == run.NarrationId) with { ClipId = "expired", ClipLabel = "old.mp4" };

        Assert.True(await model.OpenAsync(expired, Text));
        Assert.Null(model.Clip.Info);
        Assert.Equal(Text.HistoryClipGone("old.mp4"), model.Clip.Error);
        Assert.Equal(run.Text, model.Runs.Run!.Text);

        Assert.False(await model.PrepareRerunAsync(expired, Text));
        Assert.Equal(Text.ClipGone, model.Clip.Error);
    }

    [Fact]
    public async Task AReloadWhileNarratingFollowsTheRunningNarrationToItsEnd()
    {
        var (model, session) = await OpenPageAsync();
        await WithClipAsync(model);
        var (run, narrating) = await DescribeFirstTokenAsync(model);
        await Eventually(async () => (await session.LoadWorkspaceAsync(CancellationToken.None))?.NarrationId == run.NarrationId);

        var (reloaded, _) = await OpenPageAsync(sameVisitorAs: session);
        Assert.True(reloaded.Runs.Run!.Reattached);
        Assert.Contains("#0", reloaded.Runs.Run.Text);
        fixture.Engine.Step(2);
        await narrating.WaitAsync(Wait);

        await Eventually(() => Task.FromResult(reloaded.Runs.Run?.Status == NarrationStatus.Completed));
        Assert.Equal(run.Text, reloaded.Runs.Run!.Text);
    }

    [Fact]
    public async Task FrameSettingsTypedInQuickSuccessionArePlannedOnceWithTheLastValues()
    {
        var (model, _) = await OpenPageAsync();
        await WithClipAsync(model);

        Task first = model.Clip.ReplanAsync(new FrameOptions { NFrames = 4 }, Text);
        Task second = model.Clip.ReplanAsync(new FrameOptions { NFrames = 6 }, Text);
        Assert.True(model.Clip.IsReplanning);
        await Task.WhenAll(first, second).WaitAsync(Wait);

        Assert.Equal(6, model.Clip.Info!.Plan.NFrames);
        Assert.False(model.Clip.IsReplanning);
        Assert.Null(model.Clip.Error);
    }

    private sealed class TestNavigation : NavigationManager
    {
        public TestNavigation() => Initialize("http://localhost/", "http://localhost/");

        protected override void NavigateToCore(string uri, bool forceLoad)
        {
        }
    }

    private sealed class BrowserFile(string path) : IBrowserFile
    {
        public string Name => Path.GetFileName(path);

        public DateTimeOffset LastModified => DateTimeOffset.UnixEpoch;

        public long Size => new FileInfo(path).Length;

        public string ContentType => "video/mp4";

        public Stream OpenReadStream(long maxAllowedSize = 512000, CancellationToken cancellationToken = default) => File.OpenRead(path);
    }
}
