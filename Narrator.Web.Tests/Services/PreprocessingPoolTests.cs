using Microsoft.Extensions.Options;
using Narrator.Web.Services.Preprocessing;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Tests.Services;

public sealed class PreprocessingPoolTests
{
    private static PreprocessingPool Pool(int slots) => new(Options.Create(new QueueOptions { PreprocessingConcurrency = slots }));

    [Fact]
    public async Task A_free_slot_goes_to_the_model_queue_before_earlier_uploads()
    {
        var pool = Pool(1);
        var release = new TaskCompletionSource();
        var order = new List<string>();
        var busy = pool.RunAsync(async _ => { await release.Task; return 0; }, PreprocessingPriority.Upload, CancellationToken.None);
        var upload = pool.RunAsync(_ => { lock (order) { order.Add("upload"); } return Task.FromResult(1); }, PreprocessingPriority.Upload, CancellationToken.None);
        var model = pool.RunAsync(_ => { lock (order) { order.Add("model"); } return Task.FromResult(2); }, PreprocessingPriority.ModelQueue, CancellationToken.None);

        release.SetResult();
        await Task.WhenAll(busy, upload, model);

        Assert.Equal(["model", "upload"], order);
    }

    [Fact]
    public async Task Background_work_waits_for_every_upload_and_the_model_queue()
    {
        var pool = Pool(1);
        var release = new TaskCompletionSource();
        var order = new List<string>();
        Task<int> Record(string name, PreprocessingPriority priority) =>
            pool.RunAsync(_ => { lock (order) { order.Add(name); } return Task.FromResult(0); }, priority, CancellationToken.None);
        var busy = pool.RunAsync(async _ => { await release.Task; return 0; }, PreprocessingPriority.Upload, CancellationToken.None);
        var background = Record("background", PreprocessingPriority.Background);
        var upload = Record("upload", PreprocessingPriority.Upload);
        var model = Record("model", PreprocessingPriority.ModelQueue);

        release.SetResult();
        await Task.WhenAll(busy, background, upload, model);

        Assert.Equal(["model", "upload", "background"], order);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_line_and_the_slot_still_comes_back()
    {
        var pool = Pool(1);
        var release = new TaskCompletionSource();
        using var cancel = new CancellationTokenSource();
        var busy = pool.RunAsync(async _ => { await release.Task; return 0; }, PreprocessingPriority.Upload, CancellationToken.None);
        var cancelled = pool.RunAsync(_ => Task.FromResult(1), PreprocessingPriority.ModelQueue, cancel.Token);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        release.SetResult();
        await busy;

        Assert.Equal(3, await pool.RunAsync(_ => Task.FromResult(3), PreprocessingPriority.Upload, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task No_more_than_the_configured_number_run_at_once()
    {
        var pool = Pool(2);
        int running = 0, peak = 0;
        async Task<int> Work(CancellationToken _)
        {
            int now = Interlocked.Increment(ref running);
            lock (pool) { peak = Math.Max(peak, now); }
            await Task.Delay(20);
            Interlocked.Decrement(ref running);
            return now;
        }

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => pool.RunAsync(Work, i % 2 == 0 ? PreprocessingPriority.Upload : PreprocessingPriority.ModelQueue, CancellationToken.None)));

        Assert.Equal(2, peak);
    }
}
