using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Narrator.Model.Media;
using Narrator.Web.Services;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Tests.Clips;

/// <summary>The clips' folders and records on their own: what a sweep, a restart and the quota count see, without ffmpeg or a web host.</summary>
public sealed class ClipStorageTests : IDisposable
{
    private static readonly NarrationOwner Alice = NarrationOwner.ForAddress("10.0.0.1");
    private static readonly NarrationOwner Bob = NarrationOwner.ForAddress("10.0.0.2");

    private readonly string root = Path.Combine(Path.GetTempPath(), "narrator-clip-storage-" + Guid.NewGuid().ToString("N"));
    private readonly SettableClock clock = new();
    private readonly DataFolder folder;

    public ClipStorageTests() =>
        folder = new DataFolder(Options.Create(new NarratorOptions { DataPath = root }), new HostingEnvironment { ContentRootPath = root });

    public void Dispose() => Directory.Delete(root, recursive: true);

    private ClipStorage Storage() => new(folder, new ClipFiles(), clock, NullLogger<ClipStorage>.Instance);

    /// <summary>A clip of <paramref name="bytes"/> bytes, recorded on disk as the store would, expiring after <paramref name="lifetime"/>.</summary>
    private async Task<StoredClip> StoreAsync(ClipStorage storage, NarrationOwner owner, int bytes, TimeSpan lifetime)
    {
        var (id, clipFolder) = storage.StartArriving(owner);
        Directory.CreateDirectory(clipFolder);
        string source = Path.Combine(clipFolder, ClipStorage.SourceFile);
        await File.WriteAllBytesAsync(source, new byte[bytes]);
        var probe = new MediaProbe
        {
            Kind = MediaKind.Video, Container = "mov,mp4,m4a,3gp,3g2,mj2", VideoCodec = "h264", Width = 64, Height = 48,
            AverageFps = 10, DurationSeconds = 2, FrameCount = 20,
        };
        var plan = FramePlanner.Plan(probe, new FrameOptions());
        var clip = new StoredClip
        {
            Id = id, Owner = owner, Label = "clip.mp4", SourcePath = source, Probe = probe, FrameOptions = new FrameOptions(), Plan = plan,
            FrameTimestamps = [], PreviewPath = source, PreviewContentType = "video/mp4", CreatedAt = clock.GetUtcNow(),
            ExpiresAt = clock.GetUtcNow() + lifetime,
        };
        storage.Put(clip);
        storage.Arrived(id);
        await storage.WriteRecordAsync(clip, CancellationToken.None);
        return clip;
    }

    [Fact]
    public async Task A_sweep_deletes_expired_clips_and_folders_of_no_clip_but_keeps_live_clips_and_uploads_still_arriving()
    {
        var storage = Storage();
        var expiring = await StoreAsync(storage, Alice, 100, TimeSpan.FromMinutes(1));
        var live = await StoreAsync(storage, Alice, 100, TimeSpan.FromHours(1));
        var (_, arrivingFolder) = storage.StartArriving(Bob);
        Directory.CreateDirectory(arrivingFolder);
        string stray = Path.Combine(folder.Clips, "left-by-a-crash");
        Directory.CreateDirectory(stray);

        clock.Now += TimeSpan.FromMinutes(2);
        int deleted = storage.DeleteExpired();

        Assert.Equal(1, deleted);
        Assert.False(Directory.Exists(expiring.Folder));
        Assert.Null(storage.Find(expiring.Id));
        Assert.False(Directory.Exists(stray));
        Assert.True(Directory.Exists(arrivingFolder));
        Assert.Equal(live, storage.Find(live.Id));
    }

    [Fact]
    public async Task Stored_bytes_count_each_visitor_apart_and_include_uploads_still_arriving()
    {
        var storage = Storage();
        await StoreAsync(storage, Alice, 1000, TimeSpan.FromHours(1));
        await StoreAsync(storage, Bob, 300, TimeSpan.FromHours(1));
        var (_, arrivingFolder) = storage.StartArriving(Alice);
        Directory.CreateDirectory(arrivingFolder);
        await File.WriteAllBytesAsync(Path.Combine(arrivingFolder, ClipStorage.SourceFile), new byte[50]);

        long alice = storage.StoredBytes(Alice), bob = storage.StoredBytes(Bob), everybody = storage.StoredBytes();

        // Each clip folder also holds its clip.json record.
        Assert.InRange(alice, 1050, 1050 + 2 * 4096);
        Assert.InRange(bob, 300, 300 + 4096);
        Assert.Equal(alice + bob, everybody);
    }

    [Fact]
    public async Task A_restart_picks_up_recorded_clips_and_deletes_expired_unreadable_and_unknown_folders()
    {
        var before = Storage();
        var kept = await StoreAsync(before, Alice, 10, TimeSpan.FromHours(1));
        var expired = await StoreAsync(before, Alice, 10, TimeSpan.FromMinutes(1));
        var unreadable = await StoreAsync(before, Bob, 10, TimeSpan.FromHours(1));
        await File.WriteAllTextAsync(Path.Combine(unreadable.Folder, "clip.json"), "{ not json");
        clock.Now += TimeSpan.FromMinutes(2);

        var after = Storage();
        var loaded = after.Reload();

        Assert.Equal([kept.Id], loaded.Select(clip => clip.Id));
        Assert.Equal(kept.Id, after.Find(kept.Id)?.Id);
        Assert.Equal(kept.Plan.Indices, after.Find(kept.Id)!.Plan.Indices);
        Assert.False(Directory.Exists(expired.Folder));
        Assert.False(Directory.Exists(unreadable.Folder));
    }

    [Fact]
    public async Task An_update_is_saved_and_announced_only_when_nobody_changed_the_clip_meanwhile()
    {
        var storage = Storage();
        var clip = await StoreAsync(storage, Alice, 10, TimeSpan.FromHours(1));
        var announced = new List<StoredClip>();
        storage.Updated += announced.Add;

        bool first = storage.Update(clip, clip with { PreviewState = PreviewState.Failed, PreviewError = "no preview" });
        bool stale = storage.Update(clip, clip with { Label = "lost.mp4" });

        Assert.True(first);
        Assert.False(stale);
        Assert.Equal("no preview", Assert.Single(announced).PreviewError);
        Assert.Equal("no preview", Storage().Reload().Single().PreviewError);
    }

    [Fact]
    public void Nothing_outside_the_clips_folder_is_deleted_even_when_asked()
    {
        var storage = Storage();
        string outside = Path.Combine(root, "not-a-clip");
        Directory.CreateDirectory(outside);

        storage.DeleteFolder(outside);
        storage.DeleteFolder(Path.Combine(folder.Clips, "..", "not-a-clip"));

        Assert.True(Directory.Exists(outside));
        Assert.False(storage.Remove("../not-a-clip"));
    }

    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
