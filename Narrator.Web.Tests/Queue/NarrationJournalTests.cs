using Narrator.Web.Narrations;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Tests.Queue;

/// <summary>The journal keeps the history in step with live narrations and never writes an older state over a newer one.</summary>
public sealed class NarrationJournalTests
{
    [Fact]
    public async Task An_acceptance_recorded_after_the_end_was_stored_does_not_write_the_narration_back_to_queued()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient(tokens: 2));
        var job = harness.Enqueue("fast");
        // As the worker does for a narration that ends at once: its end is stored before the queue marks it finished ...
        await harness.Journal.FinishedAsync(job, new CompletedEvent("done", new Narrator.Model.Generation.GenerationStats()) { NarrationId = job.Id });

        // ... and the accepting request's own write arrives only now.
        await harness.Journal.AcceptedAsync(job);

        var stored = await harness.History.GetAsync(job.Id, CancellationToken.None);
        Assert.Equal(NarrationState.Completed, stored!.State);
        Assert.Equal("done", stored.Text);
        Assert.Equal(0, harness.Journal.Pending);
    }

    [Fact]
    public async Task A_narration_cancelled_while_queued_reaches_the_history_without_the_worker()
    {
        var client = new ScriptedChatClient(tokens: 3, gated: true);
        await using var harness = QueueHarness.Create(client);
        var running = harness.Enqueue("first");
        var waiting = harness.Enqueue("second", owner: "other");
        await harness.Journal.AcceptedAsync(waiting);
        await harness.StartAsync();
        await client.FirstTokenRequested.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(harness.Queue.Cancel(waiting.Id));
        var stored = await WaitForAsync(async () =>
            await harness.History.GetAsync(waiting.Id, CancellationToken.None) is { State: NarrationState.Failed } row ? row : null);
        client.Step(10);
        await running.CollectAsync();

        Assert.Equal(FailureCodes.Cancelled, stored.ErrorCode);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            await Task.Delay(20, timeout.Token);
        }
    }
}
