using Narrator.Model.Batch;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Tests.Demo;
using Narrator.Model.Text;

namespace Narrator.Model.Tests.Batch;

/// <summary>The batch runner with the real in-process engine (the random-weight demo package) in the IChatClient seat.</summary>
[Collection(DemoModelCollection.Name)]
public sealed class BatchWithTinyModelTests(DemoModelFixture demo, BatchFolderFixture folder) : IClassFixture<BatchFolderFixture>, IDisposable
{
    private readonly string outputFolder = Directory.CreateTempSubdirectory("narrator-batch-tiny-").FullName;

    public void Dispose() => Directory.Delete(outputFolder, recursive: true);

    [Fact]
    public async Task The_tiny_model_narrates_every_good_file_and_every_segment()
    {
        using var generator = new NarrationGenerator(demo.Package, QwenTokenizer.Bundled);
        using var engine = new OnnxChatClient(generator);
        var request = folder.Request(Path.Combine(outputFolder, "results.json")) with
        {
            Generation = new GenerationOptions { MaxNewTokens = 12 },
        };

        var report = await new BatchRunner(engine, new MediaPreparer(), new VideoSegmenter()).RunAsync(request);

        Assert.Equal(["ok", "ok", "failed", "ok"], report.Items.Select(i => i.Status));
        foreach (var item in report.Items.Where(i => i.IsOk))
        {
            Assert.False(string.IsNullOrEmpty(item.Text), $"{item.File} has no text");
            Assert.InRange(item.Tokens!.Generated, 1, 12 * Math.Max(1, item.Segments?.Count ?? 1));
            Assert.True(item.Tokens.Visual > 0);
        }
        var segments = report.Items[1].Segments!;
        Assert.Equal(3, segments.Count);
        Assert.All(segments, s => Assert.Equal(s.Stats!.Frames, FramePlanner.PlanVideo(s.EndFrame - s.StartFrame, 25, 160, 120, BatchFolderFixture.SmallFrames).NFrames));
        Assert.Equal(generator.EngineInfo.ModelName, report.Totals.Model!.Name);
        Assert.True(report.Totals.Model.Demo);
    }
}
