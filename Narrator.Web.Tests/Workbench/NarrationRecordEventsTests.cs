using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Web.Narrations;
using Narrator.Web.Tests.Components;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Workbench;

/// <summary>A narration only the history knows becomes events in one way, for the SSE endpoint and the page alike.</summary>
public class NarrationRecordEventsTests
{
    private static NarrationRecord Stored(NarrationState state) => new()
    {
        Id = "n1", State = state, ClipId = "abc", ClipLabel = "film.mp4", Prompt = "Describe.",
        Options = new(new FrameOptions(), new GenerationOptions()),
        Text = "[00:00:00.000 - 00:00:30.000]\na\n\n[00:00:30.000 - 00:01:10.000]\nb", Stats = SampleData.Stats(), CreatedAt = DateTimeOffset.UnixEpoch,
        Segmentation = "scenes",
        Segments = [new() { Index = 0, StartSeconds = 0, EndSeconds = 30, Text = "a" }, new() { Index = 1, StartSeconds = 30, EndSeconds = 70, Text = "b" }],
    };

    [Fact]
    public void ACompletedLongVideoReadsAsItsFinishedSegmentsThenCompleted()
    {
        var events = Stored(NarrationState.Completed).ToEvents().ToList();

        Assert.Equal(["segment", "segment", "completed"], events.Select(e => e.Name));
        Assert.All(events.OfType<SegmentEvent>(), e => Assert.True(e.Finished));
        Assert.Equal([0, 1], events.OfType<SegmentEvent>().Select(e => e.Segment.Index));
        Assert.All(events, e => Assert.Equal("n1", e.NarrationId));
        var completed = Assert.IsType<CompletedEvent>(events[^1]);
        Assert.Equal(SampleData.Stats(), completed.Stats);
    }

    [Theory]
    [InlineData(NarrationState.Failed)]
    [InlineData(NarrationState.Interrupted)]
    public void AnythingButCompletedReadsAsFailedWithItsPartialTextAndReason(NarrationState state)
    {
        var record = Stored(state) with { Segments = null, Error = "The server stopped.", ErrorCode = FailureCodes.Interrupted };

        var failed = Assert.IsType<FailedEvent>(Assert.Single(record.ToEvents()));

        Assert.Equal(("The server stopped.", FailureCodes.Interrupted, record.Text), (failed.Error, failed.Code, failed.PartialText));
    }

    [Fact]
    public void AFailureStoredWithoutASentenceStillSaysItFailed()
    {
        var failed = Assert.IsType<FailedEvent>(Assert.Single((Stored(NarrationState.Failed) with { Segments = null }).ToEvents()));

        Assert.Equal(("The narration failed.", FailureCodes.Failed), (failed.Error, failed.Code));
    }

    [Fact]
    public void ThePageOpensAStoredNarrationFromTheSameEvents()
    {
        var record = Stored(NarrationState.Completed);

        var run = NarrationRun.FromRecord(record);

        Assert.Equal(NarrationStatus.Completed, run.Status);
        Assert.Equal(record.Segments!.Count, run.SegmentCount);
        Assert.Equal(record.Text, run.Text);
    }
}
