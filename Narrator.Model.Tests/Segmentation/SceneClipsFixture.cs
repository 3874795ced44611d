namespace Narrator.Model.Tests.Segmentation;

/// <summary>Synthesised clips with known cuts, written once for the segmentation tests and deleted afterwards.</summary>
public sealed class SceneClipsFixture : IAsyncLifetime
{
    /// <summary>19 s: four scenes, cuts at 4, 11 and 14 s — shorter than the long-video limit.</summary>
    public static readonly (string Source, double Seconds)[] ShortScenes =
        [("testsrc", 4), ("smptebars", 7), ("color=c=red", 3), ("testsrc2", 5)];

    /// <summary>136 s: scenes of 2, 20, 1.5, 30, 80 and 2.5 s, so merging (short scenes) and splitting (the 80 s one) both happen.</summary>
    public static readonly (string Source, double Seconds)[] LongScenes =
        [("testsrc", 2), ("smptebars", 20), ("color=c=red", 1.5), ("testsrc2", 30), ("color=c=blue", 80), ("color=c=yellow", 2.5)];

    /// <summary>75 s of one source: nothing to cut on.</summary>
    public static readonly (string Source, double Seconds)[] OneScene = [("testsrc", 75)];

    private readonly string folder = Path.Combine(Path.GetTempPath(), $"narrator-scenes-{Guid.NewGuid():N}");

    public string ShortClip => Path.Combine(folder, "short.mp4");

    public string LongClip => Path.Combine(folder, "long.mp4");

    public string OneSceneClip => Path.Combine(folder, "one-scene.mp4");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        await SceneClip.WriteAsync(ShortClip, ShortScenes);
        await SceneClip.WriteAsync(LongClip, LongScenes);
        await SceneClip.WriteAsync(OneSceneClip, OneScene);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}
