using Narrator.Web.Narrations;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Tests.Queue;

public sealed class NarrationQueueTests
{
    [Fact]
    public async Task One_request_streams_queued_started_stages_tokens_then_completed_and_history_holds_the_same_text()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient(tokens: 4));
        await harness.StartAsync();

        var job = harness.Enqueue("p");
        var events = await job.CollectAsync();

        Assert.IsType<QueuedEvent>(events[0]);
        Assert.Equal(1, ((QueuedEvent)events[0]).Position);
        Assert.IsType<StartedEvent>(events[1]);
        Assert.Equal(["preparing frames", "encoding vision", "prefill", "generating"], events.OfType<StageEvent>().Select(e => e.Stage));
        string streamed = string.Concat(events.OfType<TokenEvent>().Select(e => e.Text));
        Assert.Equal("p#0 p#1 p#2 p#3 ", streamed);
        var completed = Assert.IsType<CompletedEvent>(events[^1]);
        Assert.Equal(streamed, completed.Text);
        Assert.All(events, e => Assert.Equal(job.Id, e.NarrationId));
        var stored = await harness.History.GetAsync(job.Id, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(NarrationState.Completed, stored.State);
        Assert.Equal(streamed, stored.Text);
        Assert.Equal(4, stored.Stats!.GeneratedTokens);
    }

    [Fact]
    public async Task A_long_video_at_the_head_of_the_queue_is_not_prepared_whole_ahead_of_its_turn()
    {
        // Not started: both requests wait, and the head of the queue is prepared ahead.
        await using var harness = QueueHarness.Create(new ScriptedChatClient(tokens: 2));
        var film = harness.Queue.Enqueue(QueueHarness.Work("film") with { Segmentation = new Narrator.Model.Segmentation.SegmentationOptions() },
            QueueHarness.Caller("a"));
        var clip = harness.Enqueue("clip", owner: "b");

        for (int i = 0; i < 200 && harness.Preparer.Prepared == 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.NotNull(clip.Preparation);
        Assert.Equal(1, harness.Preparer.Prepared);
        Assert.Null(film.Preparation);
    }

    [Fact]
    public async Task Waiting_requests_are_told_positions_that_only_go_down_and_the_model_runs_one_at_a_time()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient(tokens: 3));
        var jobs = Enumerable.Range(0, 5).Select(i => harness.Enqueue($"c{i}", owner: $"o{i}")).ToList();
        Assert.Equal([1, 2, 3, 4, 5], jobs.Select(j => j.Position));
        await harness.StartAsync();

        var all = await Task.WhenAll(jobs.Select(j => j.CollectAsync()));

        for (int i = 0; i < jobs.Count; i++)
        {
            var positions = all[i].OfType<QueuedEvent>().Select(q => q.Position).ToList();
            Assert.Equal(i + 1, positions[0]);
            Assert.Equal(positions.OrderByDescending(p => p), positions);
            // Every position from the first down to 1 is announced (the same position may repeat with a new ETA).
            Assert.Equal(Enumerable.Range(1, i + 1).Reverse(), positions.Distinct());
            Assert.Equal(string.Concat(Enumerable.Range(0, 3).Select(k => ScriptedChatClient.TokenText($"c{i}", k))),
                Assert.IsType<CompletedEvent>(all[i][^1]).Text);
        }
        Assert.Equal(1, harness.Client.MaxObservedConcurrency);
        // Arrival order is service order.
        Assert.Equal(jobs.OrderBy(j => j.StartedAt).Select(j => j.Id), jobs.Select(j => j.Id));
    }

    [Fact]
    public async Task A_later_position_gets_a_longer_eta()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient());
        var first = harness.Enqueue("a", owner: "1", maxNewTokens: 50);
        var second = harness.Enqueue("b", owner: "2", maxNewTokens: 50);
        var third = harness.Enqueue("c", owner: "3", maxNewTokens: 50);

        Assert.Equal(0, first.EtaSeconds);
        Assert.True(second.EtaSeconds > first.EtaSeconds, $"{second.EtaSeconds} should exceed {first.EtaSeconds}");
        Assert.True(third.EtaSeconds > second.EtaSeconds, $"{third.EtaSeconds} should exceed {second.EtaSeconds}");
    }

    [Fact]
    public async Task The_per_owner_limit_rejects_at_once_with_a_reason()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient(), new QueueOptions { Capacity = 10, PerOwnerLimit = 2 });
        harness.Enqueue("a", owner: "me");
        harness.Enqueue("b", owner: "me");

        var rejection = Assert.Throws<NarrationRejectedException>(() => harness.Enqueue("c", owner: "me"));

        Assert.Equal(FailureCodes.OwnerLimit, rejection.Code);
        Assert.Contains("limit is 2", rejection.Message);
        Assert.NotNull(harness.Enqueue("d", owner: "someone else"));
    }

    [Fact]
    public async Task A_full_queue_rejects_at_once_with_a_reason()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient(), new QueueOptions { Capacity = 2, PerOwnerLimit = 10 });
        harness.Enqueue("a", owner: "1");
        harness.Enqueue("b", owner: "2");

        var rejection = Assert.Throws<NarrationRejectedException>(() => harness.Enqueue("c", owner: "3"));

        Assert.Equal(FailureCodes.QueueFull, rejection.Code);
        Assert.Contains("queue is full", rejection.Message);
    }

    [Fact]
    public async Task Cancelling_a_queued_request_removes_it_and_moves_everyone_behind_it_up()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient());
        var first = harness.Enqueue("a", owner: "1");
        var second = harness.Enqueue("b", owner: "2");
        var third = harness.Enqueue("c", owner: "3");

        Assert.True(harness.Queue.Cancel(second.Id));

        var failed = Assert.IsType<FailedEvent>((await second.CollectAsync())[^1]);
        Assert.Equal(FailureCodes.Cancelled, failed.Code);
        Assert.Equal(NarrationState.Failed, second.State);
        Assert.Equal(2, third.Position);
        Assert.Equal(1, first.Position);
        Assert.False(harness.Queue.Cancel(second.Id));
        // The owner's slot is free again.
        Assert.Equal(2, harness.Queue.Snapshot().Waiting);
    }

    [Fact]
    public async Task Cancelling_a_running_request_stops_it_at_the_next_token_and_starts_the_next()
    {
        var client = new ScriptedChatClient(tokens: 100, gated: true);
        await using var harness = QueueHarness.Create(client);
        var running = harness.Enqueue("a", owner: "1");
        var next = harness.Enqueue("b", owner: "2");
        await harness.StartAsync();
        client.Step(3);
        await WaitForTokensAsync(running, 3);

        Assert.True(harness.Queue.Cancel(running.Id));
        var events = await running.CollectAsync();
        client.Step(1000);
        var nextEvents = await next.CollectAsync();

        var failed = Assert.IsType<FailedEvent>(events[^1]);
        Assert.Equal(FailureCodes.Cancelled, failed.Code);
        Assert.Equal("a#0 a#1 a#2 ", failed.PartialText);
        Assert.Equal(3, events.OfType<TokenEvent>().Count());
        Assert.IsType<CompletedEvent>(nextEvents[^1]);
        var stored = await harness.History.GetAsync(running.Id, CancellationToken.None);
        Assert.Equal(NarrationState.Failed, stored!.State);
        Assert.Equal(FailureCodes.Cancelled, stored.ErrorCode);
    }

    [Fact]
    public async Task Closing_one_tab_stops_what_that_tab_started_and_not_the_same_visitors_other_tabs_or_anyone_else()
    {
        var client = new ScriptedChatClient(tokens: 2, gated: true);
        await using var harness = QueueHarness.Create(client);
        var tabRunning = harness.Enqueue("m1", owner: "me", connection: "circuit:tab-1");
        var otherVisitor = harness.Enqueue("t1", owner: "them", connection: "circuit:their-tab");
        var tabQueued = harness.Enqueue("m2", owner: "me", connection: "circuit:tab-1");
        var otherTab = harness.Enqueue("m3", owner: "me", connection: "circuit:tab-2");
        await harness.StartAsync();
        await client.FirstTokenRequested.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, harness.Queue.CancelStartedBy("circuit:tab-1"));
        client.Step(100);

        Assert.Equal(FailureCodes.Disconnected, Assert.IsType<FailedEvent>((await tabRunning.CollectAsync())[^1]).Code);
        Assert.Equal(FailureCodes.Disconnected, Assert.IsType<FailedEvent>((await tabQueued.CollectAsync())[^1]).Code);
        Assert.IsType<CompletedEvent>((await otherVisitor.CollectAsync())[^1]);
        Assert.IsType<CompletedEvent>((await otherTab.CollectAsync())[^1]);
    }

    [Fact]
    public async Task A_request_running_past_the_time_limit_fails_with_timeout()
    {
        var client = new ScriptedChatClient(tokens: 10, gated: true);
        await using var harness = QueueHarness.Create(client, new QueueOptions { MaxGenerationSeconds = 1 });
        await harness.StartAsync();

        var job = harness.Enqueue("slow");
        var failed = Assert.IsType<FailedEvent>((await job.CollectAsync())[^1]);

        Assert.Equal(FailureCodes.Timeout, failed.Code);
        Assert.Contains("1-second limit", failed.Error);
    }

    [Fact]
    public async Task An_engine_error_fails_the_request_with_a_sentence_and_the_next_request_still_runs()
    {
        var client = new ScriptedChatClient(tokens: 2) { Failure = new InvalidOperationException("ORT exploded: tensor shape [1,2] vs [3]") };
        await using var harness = QueueHarness.Create(client);
        await harness.StartAsync();

        var broken = harness.Enqueue("x", owner: "1");
        var failed = Assert.IsType<FailedEvent>((await broken.CollectAsync())[^1]);
        client.Failure = null;
        var after = harness.Enqueue("y", owner: "2");

        Assert.Equal(FailureCodes.EngineError, failed.Code);
        Assert.DoesNotContain("ORT exploded", failed.Error);
        Assert.EndsWith(".", failed.Error);
        Assert.IsType<CompletedEvent>((await after.CollectAsync())[^1]);
    }

    [Fact]
    public async Task Closing_the_queue_tells_everyone_queued_and_refuses_new_requests()
    {
        var client = new ScriptedChatClient(tokens: 10, gated: true);
        await using var harness = QueueHarness.Create(client);
        var running = harness.Enqueue("a", owner: "1");
        var queued = harness.Enqueue("b", owner: "2");
        await harness.StartAsync();
        await client.FirstTokenRequested.Task.WaitAsync(TimeSpan.FromSeconds(30));

        harness.Queue.Close("The server is shutting down; please try again in a minute.");

        Assert.Equal(FailureCodes.ShuttingDown, Assert.IsType<FailedEvent>((await queued.CollectAsync())[^1]).Code);
        Assert.Equal(FailureCodes.ShuttingDown, Assert.IsType<FailedEvent>((await running.CollectAsync())[^1]).Code);
        var rejection = Assert.Throws<NarrationRejectedException>(() => harness.Enqueue("c", owner: "3"));
        Assert.Equal(FailureCodes.ShuttingDown, rejection.Code);
    }

    [Fact]
    public async Task Frames_are_prepared_ahead_only_for_the_head_of_the_queue()
    {
        var preparer = new PreparedMediaSample { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var harness = QueueHarness.Create(new ScriptedChatClient(), new QueueOptions { PrepareAhead = 2, PerOwnerLimit = 10 }, preparer);
        var jobs = Enumerable.Range(0, 5).Select(i => harness.Enqueue($"j{i}")).ToList();

        Assert.Equal([true, true, false, false, false], jobs.Select(j => j.Preparation is not null));
        harness.Queue.Cancel(jobs[0].Id);
        Assert.Equal([true, true, false, false], jobs.Skip(1).Select(j => j.Preparation is not null));
        preparer.Hold.SetResult();
    }

    [Fact]
    public async Task A_late_reader_gets_every_event_from_the_start_and_can_resume_from_an_index()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient(tokens: 3));
        await harness.StartAsync();
        var job = harness.Enqueue("r");
        var live = await job.CollectAsync();

        var replay = await job.CollectAsync();
        var resumed = new List<(int, NarrationEvent)>();
        await foreach (var item in job.ReadEventsAsync(live.Count - 2))
        {
            resumed.Add(item);
        }

        Assert.Equal(live, replay);
        Assert.Equal([(live.Count - 2, live[^2]), (live.Count - 1, live[^1])], resumed);
    }

    private static async Task WaitForTokensAsync(NarrationJob job, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int seen = 0;
        await foreach (var narrationEvent in job.ReadEventsAsync(timeout.Token))
        {
            if (narrationEvent is TokenEvent && ++seen == count)
            {
                return;
            }
        }
    }
}
