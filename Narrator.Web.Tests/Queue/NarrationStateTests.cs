using Narrator.Web.Narrations;

namespace Narrator.Web.Tests.Queue;

public class NarrationStateTests
{
    [Theory]
    [InlineData(NarrationState.Queued, "queued")]
    [InlineData(NarrationState.Running, "running")]
    [InlineData(NarrationState.Completed, "completed")]
    [InlineData(NarrationState.Failed, "failed")]
    [InlineData(NarrationState.Interrupted, "interrupted")]
    public void EveryStateHasOneWireNameThatReadsBackAsIt(NarrationState state, string name)
    {
        Assert.Equal(name, state.ToName());
        Assert.True(NarrationStates.TryParse(name, out var read));
        Assert.Equal(state, read);
    }

    [Theory]
    [InlineData("Completed")]
    [InlineData("done")]
    [InlineData("")]
    [InlineData(null)]
    public void TextThatIsNoStateIsRefused(string? name) => Assert.False(NarrationStates.TryParse(name, out _));

    [Fact]
    public void OnlyQueuedAndRunningAreLive() =>
        Assert.Equal([NarrationState.Queued, NarrationState.Running],
            Enum.GetValues<NarrationState>().Where(state => NarrationStates.IsLive(state.ToName())));
}
