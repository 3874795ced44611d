using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Clips;

/// <summary>
/// Where accepted clips live: one folder per clip under the data folder (the upload, its frames, its preview and a
/// clip.json record), the records in memory, uploads still arriving, expiry and the bytes each visitor's clips take.
/// Nothing outside the clips folder is ever deleted.
/// </summary>
public sealed class ClipStorage
{
    /// <summary>The upload's name on disk: fixed, with no extension, so nothing about the visitor's name reaches ffmpeg.</summary>
    public const string SourceFile = "source";
    public const string FramesFolder = "frames";
    private const string MetadataFile = "clip.json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly ConcurrentDictionary<string, StoredClip> clips = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> frameGates = new(StringComparer.Ordinal);
    // Uploads still arriving or waiting for the pool: their folders are not yet clips but must survive the sweep.
    private readonly ConcurrentDictionary<string, NarrationOwner> arriving = new(StringComparer.Ordinal);
    private readonly DataFolder folder;
    private readonly ClipFiles files;
    private readonly TimeProvider time;
    private readonly ILogger<ClipStorage> logger;

    public ClipStorage(DataFolder folder, ClipFiles files, TimeProvider time, ILogger<ClipStorage> logger)
    {
        this.folder = folder;
        this.files = files;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>Raised when a clip's record is replaced through <see cref="Update"/> (work finished after its upload was answered).</summary>
    public event Action<StoredClip>? Updated;

    public int Count => clips.Count;

    /// <summary>The clip, or null when the id is unknown or expired.</summary>
    public StoredClip? Find(string clipId) =>
        IsValidId(clipId) && clips.TryGetValue(clipId, out var clip) && clip.ExpiresAt > time.GetUtcNow() ? clip : null;

    /// <summary>Adds or replaces a clip's record in memory (its clip.json is written by <see cref="WriteRecordAsync"/>).</summary>
    public void Put(StoredClip clip) => clips[clip.Id] = clip;

    /// <summary>Replaces a clip's record if nobody changed it meanwhile, saves it and raises <see cref="Updated"/>.</summary>
    public bool Update(StoredClip before, StoredClip after)
    {
        if (!clips.TryUpdate(before.Id, after, before))
        {
            return false;
        }
        try
        {
            WriteRecordAsync(after, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (IOException ex)
        {
            logger.LogWarning("Could not save the record of clip {ClipId}: {Error}", after.Id, ex.Message);
        }
        Updated?.Invoke(after);
        return true;
    }

    /// <summary>The lock held while a clip's thumbnails are replaced (a re-plan, the exact frames made in the background).</summary>
    public SemaphoreSlim FramesGate(string clipId) => frameGates.GetOrAdd(clipId, static _ => new SemaphoreSlim(1, 1));

    /// <summary>Moves a clip's expiry to <paramref name="expiresAt"/> (a narration keeps it alive; an admin or a test ends it).</summary>
    public void SetExpiry(string clipId, DateTimeOffset expiresAt)
    {
        if (clips.TryGetValue(clipId, out var clip))
        {
            clips.TryUpdate(clipId, clip with { ExpiresAt = expiresAt }, clip);
        }
    }

    /// <summary>A new clip's random id and its folder (not yet created), kept from the sweep until <see cref="Arrived"/>.</summary>
    public (string Id, string Folder) StartArriving(NarrationOwner owner)
    {
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        arriving[id] = owner;
        return (id, Path.Combine(folder.Clips, id));
    }

    /// <summary>The upload <paramref name="clipId"/> is a clip now, or was refused (and its folder deleted).</summary>
    public void Arrived(string clipId) => arriving.TryRemove(clipId, out _);

    /// <summary>Removes a clip and its folder; false when there was no such clip.</summary>
    public bool Remove(string clipId)
    {
        if (!IsValidId(clipId) || !clips.TryRemove(clipId, out var clip))
        {
            return false;
        }
        DeleteFolder(clip.Folder);
        frameGates.TryRemove(clipId, out _);
        logger.LogInformation("Clip {ClipId} deleted", clipId);
        return true;
    }

    /// <summary>Deletes expired clips (oldest first) and any folder that is no clip (left by a crash); returns how many clips went.</summary>
    public int DeleteExpired()
    {
        var now = time.GetUtcNow();
        int deleted = 0;
        foreach (var (id, clip) in clips.OrderBy(pair => pair.Value.CreatedAt))
        {
            if (clip.ExpiresAt <= now && clips.TryRemove(id, out _))
            {
                DeleteFolder(clip.Folder);
                frameGates.TryRemove(id, out _);
                deleted++;
            }
        }
        foreach (var directory in Directory.EnumerateDirectories(folder.Clips))
        {
            string name = Path.GetFileName(directory);
            if (!clips.ContainsKey(name) && !arriving.ContainsKey(name))
            {
                DeleteFolder(directory);
            }
        }
        if (deleted > 0)
        {
            logger.LogInformation("Deleted {Count} expired clip(s)", deleted);
        }
        return deleted;
    }

    /// <summary>Bytes the clips of <paramref name="owner"/> (or everybody's, when null) take on disk, uploads still arriving included.</summary>
    public long StoredBytes(NarrationOwner? owner = null)
    {
        long total = 0;
        foreach (var (_, clip) in clips)
        {
            if (owner is null || clip.Owner == owner)
            {
                total += FolderBytes(clip.Folder);
            }
        }
        foreach (var (id, uploader) in arriving)
        {
            if (owner is null || uploader == owner)
            {
                total += FolderBytes(Path.Combine(folder.Clips, id));
            }
        }
        return total;
    }

    /// <summary>Saves a clip's record as clip.json in its folder (written aside, then moved over the old one).</summary>
    public async Task WriteRecordAsync(StoredClip clip, CancellationToken cancellationToken)
    {
        string path = Path.Combine(clip.Folder, MetadataFile);
        await files.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(clip, Json), cancellationToken).ConfigureAwait(false);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Writes (or replaces) <paramref name="path"/> whole or not at all: written aside, then moved over the old file.</summary>
    public async Task WriteFileAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        string temporary = path + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await files.WriteAllBytesAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ClipFiles.IsDiskFull(ex))
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Picks up clips stored before a restart and returns them; anything unreadable or expired is deleted.</summary>
    public IReadOnlyList<StoredClip> Reload()
    {
        var now = time.GetUtcNow();
        var loaded = new List<StoredClip>();
        foreach (var directory in Directory.EnumerateDirectories(folder.Clips))
        {
            string id = Path.GetFileName(directory);
            StoredClip? clip = null;
            try
            {
                string metadata = Path.Combine(directory, MetadataFile);
                clip = IsValidId(id) && File.Exists(metadata) ? JsonSerializer.Deserialize<StoredClip>(File.ReadAllText(metadata), Json) : null;
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                logger.LogWarning("Clip folder {Folder} has unreadable metadata and is deleted: {Error}", id, ex.Message);
            }
            if (clip is not null && clip.Id == id && clip.ExpiresAt > now && File.Exists(clip.SourcePath))
            {
                clips[id] = clip;
                loaded.Add(clip);
            }
            else
            {
                DeleteFolder(directory);
            }
        }
        return loaded;
    }

    /// <summary>The folder of a clip's thumbnails made for frames version <paramref name="version"/>.</summary>
    public static string FramesPath(string clipFolder, int version) =>
        Path.Combine(clipFolder, FramesFolder, version.ToString(CultureInfo.InvariantCulture));

    /// <summary>Deletes <paramref name="path"/> and everything in it, if it lies inside the clips folder.</summary>
    public void DeleteFolder(string path)
    {
        if (!Path.GetFullPath(path).StartsWith(folder.Clips + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return;
        }
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not delete {Path}: {Error}", path, ex.Message);
        }
    }

    /// <summary>ffmpeg's messages may name the stored file; the person should see their own file name, never our folders.</summary>
    public string WithoutServerPaths(string message, string sourcePath, string label) =>
        ClipLabels.InMessage(message, sourcePath, label).Replace(folder.Root, "", StringComparison.Ordinal);

    internal static bool IsValidId(string? id) => id is { Length: 24 } && id.All(char.IsAsciiHexDigitLower);

    private static long FolderBytes(string path)
    {
        try
        {
            return Directory.Exists(path)
                ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(file => file.Exists ? file.Length : 0)
                : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A folder deleted while being counted takes no room.
            return 0;
        }
    }
}
