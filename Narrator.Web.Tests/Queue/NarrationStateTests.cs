using System.Text.Json;
using System.Text.Json.Serialization;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Web.Narrations;
using Narrator.Web.Tests.Components;
using Narrator.Web.Workbench;

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
            Enum.GetValues<NarrationState>().Where(state => state.IsLive()));

    public static TheoryData<JsonSerializerOptions> SerializerOptions() =>
    [
        new JsonSerializerOptions(JsonSerializerDefaults.Web),
        // The app's HTTP and SignalR options: a plain enum converter, which would write "Completed" for an enum without names.
        new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } },
        new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } },
    ];

    [Theory]
    [MemberData(nameof(SerializerOptions))]
    public void ARecordWritesItsStateAndOptionsAsTheWireAlwaysHadThemWhateverTheEnumConverter(JsonSerializerOptions options)
    {
        var record = SampleData.Record() with
        {
            State = NarrationState.Interrupted,
            Options = new(new FrameOptions { MaxFrames = 12 }, new GenerationOptions { Seed = 7 }),
        };

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(record, options));
        var back = JsonSerializer.Deserialize<NarrationRecord>(json.RootElement.GetRawText(), options);

        Assert.Equal("interrupted", json.RootElement.GetProperty("state").GetString());
        Assert.Equal(12, json.RootElement.GetProperty("frames").GetProperty("maxFrames").GetInt32());
        Assert.Equal(7, json.RootElement.GetProperty("generation").GetProperty("seed").GetInt32());
        Assert.False(json.RootElement.TryGetProperty("options", out _));
        Assert.Equal(record, back);
    }

    [Fact]
    public void ARecordWithoutItsOptionsOnTheWireIsRefused()
    {
        const string json = """{"id":"n","state":"completed","clipId":"c","clipLabel":"a.mp4","prompt":"p","text":"t","createdAt":"2026-01-01T00:00:00Z"}""";

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<NarrationRecord>(json, NarratorServer.Json));

        Assert.Contains("frames", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EachEventLeavesTheNarrationInOneState()
    {
        Assert.Equal(NarrationState.Queued, NarrationStates.After(new QueuedEvent(2, 10) { NarrationId = "n" }));
        Assert.All(new NarrationEvent[]
        {
            new StartedEvent { NarrationId = "n" },
            StageEvent.Of("n", NarrationStage.Generating),
            new TokenEvent("a") { NarrationId = "n" },
            new TranslationEvent("fr", "texte") { NarrationId = "n" },
        }, narrationEvent => Assert.Equal(NarrationState.Running, NarrationStates.After(narrationEvent)));
        Assert.Equal(NarrationState.Completed, NarrationStates.After(new CompletedEvent("t", new GenerationStats()) { NarrationId = "n" }));
        Assert.Equal(NarrationState.Failed, NarrationStates.After(new FailedEvent("no") { NarrationId = "n" }));
    }

    [Theory]
    [InlineData(null, false, NarrationStatus.Submitting)]
    [InlineData(NarrationState.Queued, false, NarrationStatus.Queued)]
    [InlineData(NarrationState.Running, false, NarrationStatus.Running)]
    [InlineData(NarrationState.Completed, false, NarrationStatus.Completed)]
    [InlineData(NarrationState.Failed, false, NarrationStatus.Failed)]
    [InlineData(NarrationState.Interrupted, false, NarrationStatus.Failed)]
    [InlineData(null, true, NarrationStatus.Stopped)]
    [InlineData(NarrationState.Queued, true, NarrationStatus.Stopped)]
    [InlineData(NarrationState.Completed, true, NarrationStatus.Stopped)]
    [InlineData(NarrationState.Failed, true, NarrationStatus.Stopped)]
    public void ThePageShowsTheServerStateExceptWhatOnlyItKnows(NarrationState? state, bool stoppedByPerson, NarrationStatus shown) =>
        Assert.Equal(shown, NarrationStatuses.Of(state, stoppedByPerson));
}
