using System.Text.Json;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Web.Narrations;
using Narrator.Web.Workbench;
using Narrator.Web.Tests.Components;

namespace Narrator.Web.Tests.Workbench;

public class NarrationDownloadTests
{
    [Fact]
    public void JsonHoldsTextSettingsAndStatsWithReadableChinese()
    {
        var request = new NarrationRequest
        {
            ClipId = "abc",
            Template = "cinematic-zh",
            Prompt = "要求：描述。",
            Frames = new FrameOptions { Fps = 1, MaxFrames = 32 },
            Generation = new GenerationOptions { Temperature = 0.7f, Seed = 7 },
        };
        var run = new NarrationRun(request, "街景.mp4", DateTimeOffset.UnixEpoch);
        run.Apply(new CompletedEvent("一位女子举杯。", SampleData.Stats()) { NarrationId = "n" });

        string json = NarrationDownload.Json(run);

        Assert.Contains("一位女子举杯。", json);
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        Assert.Equal("cinematic-zh", root.GetProperty("template").GetString());
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal(1, root.GetProperty("frames").GetProperty("fps").GetDouble());
        Assert.Equal(32, root.GetProperty("frames").GetProperty("maxFrames").GetInt32());
        Assert.Equal(7, root.GetProperty("generation").GetProperty("seed").GetInt32());
        Assert.Equal(42, root.GetProperty("stats").GetProperty("generatedTokens").GetInt32());
        Assert.Equal("街景.mp4", root.GetProperty("clip").GetString());
    }

    [Fact]
    public void JsonFillsInDefaultSettingsWhenTheRequestKeptThem()
    {
        NarrationRun run = SampleData.Run();

        using JsonDocument document = JsonDocument.Parse(NarrationDownload.Json(run));

        Assert.Equal(96, document.RootElement.GetProperty("frames").GetProperty("maxFrames").GetInt32());
        Assert.Equal(1536, document.RootElement.GetProperty("generation").GetProperty("maxNewTokens").GetInt32());
    }

    [Theory]
    [InlineData("street.mp4", "cinematic-zh", "txt", "narration-street-cinematic-zh.txt")]
    [InlineData("my clip (1).mov", "tags", "json", "narration-my_clip_1-tags.json")]
    [InlineData("../../etc/passwd", null, "txt", "narration-passwd-custom.txt")]
    [InlineData("街景.mp4", "tags", ".txt", "narration-街景-tags.txt")]
    public void FileNameIsSafeAndSaysWhatItIs(string label, string? template, string extension, string expected)
    {
        var run = new NarrationRun(new NarrationRequest { ClipId = "x", Template = template }, label, DateTimeOffset.UnixEpoch);

        Assert.Equal(expected, NarrationDownload.FileName(run, extension));
    }
}
