using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Tests.Services;

/// <summary>The history as a crash leaves it: rows another run of the server left queued or running read as interrupted, with their text.</summary>
public sealed class NarrationHistoryTests : IDisposable
{
    private static readonly NarrationOwner Visitor = NarrationOwner.ForVisitor("0123456789abcdef0123456789abcdef");
    private readonly string dataPath = Path.Combine(Path.GetTempPath(), "narrator-history-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dataPath, recursive: true);
    }

    internal static NarrationRecord Live(string id, NarrationState state, string text) => new()
    {
        Id = id,
        State = state,
        ClipId = "clip",
        ClipLabel = "street.mp4",
        Prompt = "Describe.",
        Options = new(new FrameOptions(), new GenerationOptions()),
        Text = text,
        CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
        StartedAt = state == NarrationState.Running ? DateTimeOffset.UtcNow.AddSeconds(-30) : null,
    };

    private DataFolder Folder() =>
        new(Options.Create(new NarratorOptions { DataPath = dataPath }), new HostingEnvironment { ContentRootPath = dataPath });

    [Fact]
    public async Task Rows_another_run_left_queued_or_running_read_as_interrupted_with_their_text_and_are_marked_so_once()
    {
        var crashed = new NarrationHistory(new NarratorDatabase(Folder()), TimeProvider.System);
        await crashed.SaveAsync(Live("running1", NarrationState.Running, "The camera pans"), Visitor, CancellationToken.None);
        await crashed.SaveAsync(Live("queued1", NarrationState.Queued, ""), Visitor, CancellationToken.None);
        var restarted = new NarrationHistory(new NarratorDatabase(Folder()), TimeProvider.System);

        var running = await restarted.GetAsync("running1", CancellationToken.None);
        var queued = await restarted.GetAsync("queued1", CancellationToken.None);
        var sameRun = await crashed.GetAsync("running1", CancellationToken.None);
        var listedBeforeMarking = await restarted.ListAsync(new HistoryQuery { Owner = Visitor }, CancellationToken.None);
        int marked = await restarted.MarkInterruptedAsync(CancellationToken.None);
        int markedAgain = await restarted.MarkInterruptedAsync(CancellationToken.None);
        var interrupted = await restarted.ListAsync(new HistoryQuery { Owner = Visitor, State = NarrationState.Interrupted }, CancellationToken.None);

        Assert.Equal(NarrationState.Interrupted, running!.State);
        Assert.Equal(FailureCodes.Interrupted, running.ErrorCode);
        Assert.Equal(NarrationHistory.InterruptedWhileRunning, running.Error);
        Assert.Equal("The camera pans", running.Text);
        Assert.NotNull(running.FinishedAt);
        Assert.Equal(NarrationHistory.InterruptedWhileQueued, queued!.Error);
        Assert.Equal(NarrationState.Running, sameRun!.State);
        Assert.Equal([NarrationState.Interrupted, NarrationState.Interrupted], listedBeforeMarking.Select(r => r.State));
        Assert.Equal(2, marked);
        Assert.Equal(0, markedAgain);
        Assert.Equal(new[] { "queued1", "running1" }, interrupted.Select(r => r.Id).Order());
    }

    private static NarrationTranslation Translation(string language, NarrationState state, string text) =>
        new() { Language = language, State = state, Text = text, FinishedAt = DateTimeOffset.UtcNow.AddSeconds(-10) };

    [Fact]
    public async Task Translations_another_run_left_queued_read_as_never_started_a_queued_one_never_replaces_a_stored_one_and_only_this_runs_queued_rows_are_forgotten()
    {
        var crashed = new NarrationHistory(new NarratorDatabase(Folder()), TimeProvider.System);
        var narration = Live("n1", NarrationState.Completed, "The camera pans") with { FinishedAt = DateTimeOffset.UtcNow };
        await crashed.SaveAsync(narration, Visitor, CancellationToken.None);
        await crashed.SaveTranslationAsync("n1", Visitor, "street.mp4", Translation("de", NarrationState.Completed, "Die Kamera"), CancellationToken.None);
        await crashed.SaveTranslationAsync("n1", Visitor, "street.mp4", Translation("de", NarrationState.Queued, ""), CancellationToken.None);
        await crashed.SaveTranslationAsync("n1", Visitor, "street.mp4", Translation("fr", NarrationState.Running, "La caméra"), CancellationToken.None);
        await crashed.SaveTranslationAsync("n1", Visitor, "street.mp4", Translation("es", NarrationState.Queued, ""), CancellationToken.None);
        var sameRun = (await crashed.GetAsync("n1", CancellationToken.None))!.Translations!;
        var restarted = new NarrationHistory(new NarratorDatabase(Folder()), TimeProvider.System);

        await restarted.ForgetQueuedTranslationAsync("n1", "es", CancellationToken.None);
        var read = (await restarted.GetAsync("n1", CancellationToken.None))!.Translations!;
        int marked = await restarted.MarkInterruptedAsync(CancellationToken.None);
        var stored = (await restarted.GetAsync("n1", CancellationToken.None))!.Translations!;
        await crashed.SaveTranslationAsync("n1", Visitor, "street.mp4", Translation("it", NarrationState.Queued, ""), CancellationToken.None);
        await crashed.ForgetQueuedTranslationAsync("n1", "it", CancellationToken.None);
        await crashed.ForgetQueuedTranslationAsync("n1", "de", CancellationToken.None);
        var afterForget = (await crashed.GetAsync("n1", CancellationToken.None))!.Translations!;

        Assert.Equal((NarrationState.Completed, "Die Kamera"), (sameRun["de"].State, sameRun["de"].Text));
        Assert.Equal(NarrationState.Queued, sameRun["es"].State);
        Assert.Equal((NarrationState.Interrupted, NarrationHistory.TranslationNeverStarted, ""), (read["es"].State, read["es"].Error, read["es"].Text));
        Assert.Equal((NarrationState.Interrupted, NarrationHistory.TranslationInterrupted), (read["fr"].State, read["fr"].Error));
        Assert.Equal(2, marked);
        Assert.Equal((NarrationState.Interrupted, NarrationHistory.TranslationNeverStarted), (stored["es"].State, stored["es"].Error));
        Assert.Equal(["de", "es", "fr"], afterForget.Keys.Order());
        Assert.Equal(NarrationState.Completed, afterForget["de"].State);
    }

    [Fact]
    public async Task Live_rows_of_this_run_are_not_listed_until_they_end_and_lists_are_per_owner()
    {
        var history = new NarrationHistory(new NarratorDatabase(Folder()), TimeProvider.System);
        var other = NarrationOwner.ForVisitor("fedcba9876543210fedcba9876543210");
        await history.SaveAsync(Live("live", NarrationState.Running, "so far"), Visitor, CancellationToken.None);
        await history.SaveAsync(Live("done", NarrationState.Running, "all") with { State = NarrationState.Completed, FinishedAt = DateTimeOffset.UtcNow }, Visitor, CancellationToken.None);
        await history.SaveAsync(Live("theirs", NarrationState.Running, "x") with { State = NarrationState.Completed, FinishedAt = DateTimeOffset.UtcNow }, other, CancellationToken.None);

        var mine = await history.ListAsync(new HistoryQuery { Owner = Visitor }, CancellationToken.None);
        var everyone = await history.ListAsync(new HistoryQuery(), CancellationToken.None);

        Assert.Equal(["done"], mine.Select(r => r.Id));
        Assert.Equal(new[] { "done", "theirs" }, everyone.Select(r => r.Id).Order());
        Assert.Equal(Visitor, await history.OwnerOfAsync("live", CancellationToken.None));
        Assert.Null(await history.OwnerOfAsync("nope", CancellationToken.None));
    }
}
