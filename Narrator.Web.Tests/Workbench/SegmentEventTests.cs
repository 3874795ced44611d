using System.Text.Json;
using Narrator.Web.Narrations;

namespace Narrator.Web.Tests.Workbench;

public class SegmentEventTests
{
    [Fact]
    public void ASegmentEventTravelsAsJsonWithItsTimesAndText()
    {
        NarrationEvent sent = new SegmentEvent(
            new() { Index = 2, StartSeconds = 61.5, EndSeconds = 90, Text = "夜景", Tags = ["night"] }, 5) { NarrationId = "n1" };

        string json = JsonSerializer.Serialize(sent, JsonSerializerOptions.Web);
        var received = Assert.IsType<SegmentEvent>(JsonSerializer.Deserialize<NarrationEvent>(json, JsonSerializerOptions.Web));

        Assert.Contains("\"type\":\"segment\"", json);
        Assert.Contains("\"start\":61.5", json);
        Assert.Equal(5, received.Count);
        Assert.Equal(2, received.Segment.Index);
        Assert.Equal("夜景", received.Segment.Text);
        Assert.Equal(["night"], received.Segment.Tags!);
        Assert.Equal("segment", received.Name);
    }
}
