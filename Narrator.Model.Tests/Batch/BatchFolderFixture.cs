using Narrator.Model.Batch;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Tests.Segmentation;

namespace Narrator.Model.Tests.Batch;

/// <summary>
/// A folder like the ones people batch: a short clip, a long clip with scene cuts (70 s: cuts at 30 and 55 s), a still
/// in a subfolder, a corrupt "video" and a text file. Written once; each test writes its results elsewhere.
/// </summary>
public sealed class BatchFolderFixture : IAsyncLifetime
{
    public static readonly (string Source, double Seconds)[] LongScenes = [("testsrc", 30), ("smptebars", 25), ("color=c=red", 15)];

    /// <summary>Small frames keep the tests quick; the rules are the same at any size.</summary>
    public static readonly FrameOptions SmallFrames = new() { Fps = 1, MinFrames = 4, MaxFrames = 8, MinPixels = 56 * 56, MaxPixels = 112 * 84, ImageMaxPixels = 112 * 84 };

    private readonly Lazy<Task<BatchReport>> referenceRun;

    public BatchFolderFixture() => referenceRun = new(() => RunAsync(ReferenceEngine, Request(ReferenceOutput)));

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"narrator-batch-{Guid.NewGuid():N}");

    /// <summary>The results of one complete run over the folder, shared by the tests that only read them (or start from them).</summary>
    public Task<BatchReport> ReferenceRun => referenceRun.Value;

    public string ReferenceOutput => Path.Combine(Folder + "-reference", "results.json");

    public ScriptedEngine ReferenceEngine { get; } = new();

    public string ShortClip => Path.Combine(Folder, "a-short.mp4");

    public string LongClip => Path.Combine(Folder, "b-long.mp4");

    public string Corrupt => Path.Combine(Folder, "c-corrupt.mp4");

    public string Notes => Path.Combine(Folder, "notes.txt");

    public string Still => Path.Combine(Folder, "stills", "d-still.png");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "stills"));
        await SceneClip.WriteAsync(ShortClip, [("testsrc2", 3)]);
        await SceneClip.WriteAsync(LongClip, LongScenes);
        await TestFfmpeg.RunAsync(["-f", "lavfi", "-i", "smptebars=s=320x240",
            "-frames:v", "1", Still]);
        var random = new Random(11);
        var junk = new byte[64 * 1024];
        random.NextBytes(junk);
        await File.WriteAllBytesAsync(Corrupt, junk);
        await File.WriteAllTextAsync(Notes, "shot list: 1. opening, 2. chase\n");
        await File.WriteAllTextAsync(Path.Combine(Folder, ".hidden.mp4"), "editor backup");
    }

    public BatchRequest Request(string output, BatchFormat format = BatchFormat.Json) => new()
    {
        Inputs = [Folder],
        OutputPath = output,
        Format = format,
        Prompt = "describe",
        Template = "test-template",
        Frames = SmallFrames,
    };

    public static Task<BatchReport> RunAsync(ScriptedEngine engine, BatchRequest request, IBatchProgress? progress = null, CancellationToken cancellationToken = default) =>
        new BatchRunner(engine, new MediaPreparer(), new VideoSegmenter()).RunAsync(request, progress, cancellationToken);

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        if (Directory.Exists(Folder + "-reference"))
        {
            Directory.Delete(Folder + "-reference", recursive: true);
        }
        return Task.CompletedTask;
    }
}
