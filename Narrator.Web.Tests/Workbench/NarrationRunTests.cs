using Narrator.Web.Narrations;
using Narrator.Web.Tests.Components;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Workbench;

public class NarrationRunTests
{
    [Fact]
    public void QueuedEventsUpdatePositionAndEtaUntilStarted()
    {
        NarrationRun run = SampleData.Run();

        run.Apply(new QueuedEvent(3, 40) { NarrationId = "n1" });
        Assert.Equal(NarrationStatus.Queued, run.Status);
        Assert.Equal(3, run.QueuePosition);
        Assert.Equal(40, run.EtaSeconds);

        run.Apply(new QueuedEvent(1, 12) { NarrationId = "n1" });
        Assert.Equal(1, run.QueuePosition);

        run.Apply(new StartedEvent { NarrationId = "n1" });
        Assert.Equal(NarrationStatus.Running, run.Status);
        Assert.Null(run.QueuePosition);
        Assert.Null(run.EtaSeconds);
        Assert.Equal("n1", run.NarrationId);
    }

    [Fact]
    public void TokensAccumulateInOrderIncludingSplitChinese()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new StageEvent("generating") { NarrationId = "n" });

        foreach (string piece in new[] { "画面", "中，", "一位女子", "举杯。" })
        {
            run.Apply(new TokenEvent(piece) { NarrationId = "n" });
        }

        Assert.Equal("画面中，一位女子举杯。", run.Text);
        Assert.Equal(4, run.TokenPieces);
        Assert.Equal("generating", run.Stage);
        Assert.True(run.IsActive);
    }

    [Fact]
    public void CompletedKeepsStatsAndTakesTheFinalText()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new TokenEvent("raw ") { NarrationId = "n" });

        run.Apply(new CompletedEvent("final text", SampleData.Stats()) { NarrationId = "n" });

        Assert.Equal(NarrationStatus.Completed, run.Status);
        Assert.Equal("final text", run.Text);
        Assert.Equal(42, run.Stats!.GeneratedTokens);
        Assert.False(run.IsActive);
    }

    [Fact]
    public void CompletedWithEmptyTextKeepsTheStreamedText()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new TokenEvent("streamed") { NarrationId = "n" });

        run.Apply(new CompletedEvent("", SampleData.Stats()) { NarrationId = "n" });

        Assert.Equal("streamed", run.Text);
    }

    [Fact]
    public void CompletedWithCancelledFinishReasonCountsAsStopped()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new TokenEvent("partial") { NarrationId = "n" });

        run.Apply(new CompletedEvent("partial", SampleData.Stats("cancelled")) { NarrationId = "n" });

        Assert.Equal(NarrationStatus.Stopped, run.Status);
        Assert.Equal("partial", run.Text);
    }

    [Fact]
    public void FailedKeepsTheServersSentenceAndTheTextSoFar()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new QueuedEvent(2, 10) { NarrationId = "n" });
        run.Apply(new FailedEvent("The queue is full; try again in a minute.") { NarrationId = "n" });

        Assert.Equal(NarrationStatus.Failed, run.Status);
        Assert.Equal("The queue is full; try again in a minute.", run.Error);
        Assert.Null(run.QueuePosition);
    }

    [Fact]
    public void EventsAfterTheEndAreIgnored()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new FailedEvent("broken") { NarrationId = "n" });

        run.Apply(new TokenEvent("late") { NarrationId = "n" });
        run.Apply(new CompletedEvent("late", SampleData.Stats()) { NarrationId = "n" });

        Assert.Equal(NarrationStatus.Failed, run.Status);
        Assert.Equal("", run.Text);
    }

    [Fact]
    public void MarkStoppedOnlyAffectsAnActiveRun()
    {
        NarrationRun active = SampleData.Run();
        active.Apply(new TokenEvent("so far") { NarrationId = "n" });
        active.MarkStopped();
        Assert.Equal(NarrationStatus.Stopped, active.Status);
        Assert.Equal("so far", active.Text);

        NarrationRun done = SampleData.Run();
        done.Apply(new CompletedEvent("done", SampleData.Stats()) { NarrationId = "n" });
        done.MarkStopped();
        Assert.Equal(NarrationStatus.Completed, done.Status);
    }

    [Fact]
    public void ACancelledFailureIsAStopThatKeepsThePartialText()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new TokenEvent("par") { NarrationId = "n" });

        run.Apply(new FailedEvent("Stopped at your request.") { NarrationId = "n", Code = FailureCodes.Cancelled, PartialText = "partial" });

        Assert.Equal(NarrationStatus.Stopped, run.Status);
        Assert.Equal("partial", run.Text);
        Assert.Null(run.Error);
    }

    [Fact]
    public void AFailureAfterSomeTokensKeepsThemAndTheSentence()
    {
        NarrationRun run = SampleData.Run();
        run.Apply(new TokenEvent("so far") { NarrationId = "n" });

        run.Apply(new FailedEvent("The model failed while narrating this clip.") { NarrationId = "n", Code = FailureCodes.EngineError, PartialText = "so far" });

        Assert.Equal(NarrationStatus.Failed, run.Status);
        Assert.Equal("so far", run.Text);
        Assert.Equal("The model failed while narrating this clip.", run.Error);
    }

    [Fact]
    public void AHistoryRecordOpensAsItEnded()
    {
        var completed = new NarrationRecord
        {
            Id = "n1", State = NarrationState.Completed, ClipId = "abc", ClipLabel = "street.mp4", Template = "tags", Prompt = "List tags.",
            Options = new(new Narrator.Model.Media.FrameOptions { MaxFrames = 32 }, new Narrator.Model.Generation.GenerationOptions()),
            Text = "night, city", Stats = SampleData.Stats(), CreatedAt = DateTimeOffset.UnixEpoch,
        };

        NarrationRun run = NarrationRun.FromRecord(completed);
        NarrationRun failed = NarrationRun.FromRecord(completed with { State = NarrationState.Failed, Error = "Queue full.", ErrorCode = FailureCodes.QueueFull, Stats = null });
        NarrationRun interrupted = NarrationRun.FromRecord(completed with
        {
            State = NarrationState.Interrupted, Error = "The server stopped while this narration was being written.", ErrorCode = FailureCodes.Interrupted, Stats = null,
        });

        Assert.Equal(NarrationStatus.Completed, run.Status);
        Assert.Equal("night, city", run.Text);
        Assert.Equal(32, run.Request.Frames!.MaxFrames);
        Assert.Equal("n1", run.NarrationId);
        Assert.Equal(NarrationStatus.Failed, failed.Status);
        Assert.Equal("Queue full.", failed.Error);
        // Cut short by a restart: not shown as complete, and its partial text is kept.
        Assert.Equal(NarrationStatus.Failed, interrupted.Status);
        Assert.Equal("night, city", interrupted.Text);
        Assert.StartsWith("The server stopped", interrupted.Error);
    }

    [Fact]
    public void LongVideoSegmentsAreCollectedInOrderWithTheActiveOne()
    {
        NarrationRun run = SampleData.Run();

        run.Apply(StageEvent.OfSegment("n", 2, 3));
        Assert.Equal(1, run.ActiveSegment);
        Assert.Equal(3, run.SegmentCount);

        run.Apply(new SegmentEvent(new() { Index = 1, StartSeconds = 20, EndSeconds = 40, Text = "b" }, 3) { NarrationId = "n" });
        run.Apply(new SegmentEvent(new() { Index = 0, StartSeconds = 0, EndSeconds = 20, Text = "a" }, 3) { NarrationId = "n" });
        run.Apply(new SegmentEvent(new() { Index = 1, StartSeconds = 20, EndSeconds = 40, Text = "b2" }, 3) { NarrationId = "n" });

        Assert.Equal(["a", "b2"], run.Segments.Select(segment => segment.Text));
        run.Apply(new CompletedEvent("ab", SampleData.Stats()) { NarrationId = "n" });
        Assert.Null(run.ActiveSegment);
        Assert.Equal(2, run.Segments.Count);
    }

    [Fact]
    public void ThePlannedSegmentsArriveFirstAndEachIsMarkedFinishedWhenItsResultArrives()
    {
        NarrationRun run = SampleData.Run();
        for (int k = 0; k < 3; k++)
        {
            run.Apply(new SegmentEvent(new() { Index = k, StartSeconds = 20 * k, EndSeconds = 20 * (k + 1) }, 3) { NarrationId = "n", Finished = false });
        }
        Assert.Equal(3, run.Segments.Count);
        Assert.Empty(run.FinishedSegments);

        run.Apply(StageEvent.OfSegment("n", 1, 3));
        run.Apply(new SegmentEvent(new() { Index = 0, StartSeconds = 0, EndSeconds = 20, Text = "a" }, 3) { NarrationId = "n" });

        Assert.Equal([0], run.FinishedSegments);
        Assert.Equal(["a", "", ""], run.Segments.Select(segment => segment.Text));
        Assert.Equal(3, run.SegmentCount);
    }

    [Fact]
    public void AStoredLongVideoOpensWithItsSegmentsAllFinished()
    {
        var record = new NarrationRecord
        {
            Id = "n1", State = NarrationState.Completed, ClipId = "abc", ClipLabel = "film.mp4", Prompt = "Describe.",
            Options = new(new Narrator.Model.Media.FrameOptions(), new Narrator.Model.Generation.GenerationOptions()),
            Text = "[00:00:00.000 - 00:00:30.000]\na\n\n[00:00:30.000 - 00:01:10.000]\nb", Stats = SampleData.Stats(), CreatedAt = DateTimeOffset.UnixEpoch,
            Segmentation = "scenes", DurationSeconds = 70,
            Segments = [new() { Index = 0, StartSeconds = 0, EndSeconds = 30, Text = "a" }, new() { Index = 1, StartSeconds = 30, EndSeconds = 70, Text = "b" }],
        };

        NarrationRun run = NarrationRun.FromRecord(record);

        Assert.Equal(NarrationStatus.Completed, run.Status);
        Assert.Equal(["a", "b"], run.Segments.Select(segment => segment.Text));
        Assert.Equal([0, 1], run.FinishedSegments.Order());
        Assert.Equal(2, run.SegmentCount);
        Assert.Equal(record.Text, run.Text);
    }

    [Fact]
    public void ASegmentStageIsReadFromItsFieldsNotItsName()
    {
        NarrationRun run = SampleData.Run();

        // A name that reads like a segment but carries no segment fields is just a stage name.
        run.Apply(new StageEvent("segment 2 of 5") { NarrationId = "n" });
        Assert.Null(run.ActiveSegment);

        run.Apply(new StageEvent("part two") { NarrationId = "n", Segment = 2, SegmentCount = 5 });
        Assert.Equal(1, run.ActiveSegment);
        Assert.Equal(5, run.SegmentCount);
        Assert.Equal(2, run.CurrentStage!.Segment);
    }

    [Fact]
    public void SegmentStagesCarryTheirNumberAndCountAsDataAndTheNameClientsAlwaysRead()
    {
        var stage = StageEvent.OfSegment("n", 2, 5);

        Assert.Equal(("segment 2 of 5", 2, 5), (stage.Stage, stage.Segment, stage.SegmentCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => StageEvent.OfSegment("n", 6, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => StageEvent.OfSegment("n", 0, 5));
    }
}
