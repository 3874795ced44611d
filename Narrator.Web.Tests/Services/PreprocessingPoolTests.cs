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
    public async Task Background_work_runs_in_its_own_slots_while_every_upload_slot_is_busy()
    {
        var pool = Pool(1);
        var release = new TaskCompletionSource();
        var busy = pool.RunAsync(async _ => { await release.Task; return 0; }, PreprocessingPriority.Upload, CancellationToken.None);
        var waitingUpload = pool.RunAsync(_ => Task.FromResult(1), PreprocessingPriority.Upload, CancellationToken.None);

        var background = await pool.RunAsync(_ => Task.FromResult(2), PreprocessingPriority.Background, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, background);
        Assert.False(waitingUpload.IsCompleted, "background work must not take the upload's slot");
        release.SetResult();
        await Task.WhenAll(busy, waitingUpload);
    }

    [Fact]
    public async Task Background_work_runs_one_job_per_owner_at_a_time()
    {
        var pool = new PreprocessingPool(Options.Create(new QueueOptions { PreprocessingConcurrency = 1 }),
            Options.Create(new Narrator.Web.Services.Clips.UploadOptions { BackgroundConcurrency = 2 }));
        var heavy = NarrationOwner.ForAddress("10.0.0.1");
        var light = NarrationOwner.ForAddress("10.0.0.2");
        var releaseFirst = new TaskCompletionSource();
        var first = pool.RunAsync(async _ => { await releaseFirst.Task; return 1; }, PreprocessingPriority.Background, CancellationToken.None, heavy);
        var second = pool.RunAsync(_ => Task.FromResult(2), PreprocessingPriority.Background, CancellationToken.None, heavy);

        var other = await pool.RunAsync(_ => Task.FromResult(3), PreprocessingPriority.Background, CancellationToken.None, light).WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(100);

        Assert.Equal(3, other);
        Assert.False(second.IsCompleted, "a visitor's second heavy job started while the first was running");
        releaseFirst.SetResult();
        Assert.Equal(2, await second.WaitAsync(TimeSpan.FromSeconds(10)));
        await first;
    }

    [Fact]
    public async Task Waiting_uploads_take_turns_by_owner()
    {
        var pool = Pool(1);
        var release = new TaskCompletionSource();
        var order = new List<string>();
        Task<int> Record(string name, NarrationOwner owner) =>
            pool.RunAsync(_ => { lock (order) { order.Add(name); } return Task.FromResult(0); }, PreprocessingPriority.Upload, CancellationToken.None, owner);
        var busy = pool.RunAsync(async _ => { await release.Task; return 0; }, PreprocessingPriority.Upload, CancellationToken.None);
        var a = NarrationOwner.ForAddress("10.0.0.1");
        var b = NarrationOwner.ForAddress("10.0.0.2");
        var waiting = new[] { Record("a1", a), Record("a2", a), Record("a3", a), Record("b1", b) };

        release.SetResult();
        await Task.WhenAll(waiting.Append(busy));

        Assert.Equal(["a1", "b1", "a2", "a3"], order);
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
