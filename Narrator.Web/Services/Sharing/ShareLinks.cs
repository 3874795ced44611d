using System.Security.Cryptography;
using System.Text.Json;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Sharing;

/// <summary>
/// Read-only share links. Nothing is shared unless its owner publishes it; a visitor publishes one of their finished
/// narrations at a time per link (a random token, unrelated to the narration id), and may revoke it, after which the
/// page and its files answer 404. Publishing copies the clip's frames into <c>data/shares/{token}</c>, so the page
/// still shows them after the clip expires.
/// </summary>
public sealed class ShareLinks(NarratorDatabase database, NarrationService narrations, NarrationLocks locks, ClipStore clips, DataFolder folder,
    TimeProvider time, ILogger<ShareLinks> logger)
{
    public const string PageRoute = "/share";
    public const string ApiRoute = "/api/shares";

    private const string SnapshotFile = "share.json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string PagePath(string token) => $"{PageRoute}/{token}";

    /// <summary>
    /// Publishes one of <paramref name="owner"/>'s completed narrations (or returns its existing link). Throws
    /// <see cref="NotYoursException"/> for someone else's, <see cref="ShareRefusedException"/> for one that is unknown
    /// (or being deleted) or not completed, <see cref="StorageFullException"/> when the disk is full. Made under the
    /// narration's lock, so a delete either finds the link and removes it or has removed the narration first.
    /// </summary>
    public async Task<SharedNarration> PublishAsync(string narrationId, NarrationOwner owner, CancellationToken cancellationToken)
    {
        using var held = await locks.HoldAsync(narrationId, cancellationToken).ConfigureAwait(false);
        var record = await narrations.GetAsync(narrationId, cancellationToken).ConfigureAwait(false)
            ?? throw new ShareRefusedException(StatusCodes.Status404NotFound, "not_found", $"There is no narration \"{narrationId}\".");
        if (await narrations.OwnerOfAsync(narrationId, cancellationToken).ConfigureAwait(false) != owner)
        {
            throw new NotYoursException($"Narration \"{narrationId}\" belongs to another visitor; only they can share it.");
        }
        if (record.State != NarrationState.Completed)
        {
            throw new ShareRefusedException(StatusCodes.Status409Conflict, "not_finished",
                $"Only a completed narration can be shared; this one is {record.State.ToName()}.");
        }
        if (await TokenOfAsync(narrationId, cancellationToken).ConfigureAwait(false) is { } existing
            && await GetAsync(existing, cancellationToken).ConfigureAwait(false) is { } shared)
        {
            return shared;
        }
        await locks.CheckedAsync(NarrationChange.Share, narrationId).ConfigureAwait(false);
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        string target = folder.ShareFolder(token);
        try
        {
            var frames = CopyFrames(record.ClipId, token, target);
            var now = time.GetUtcNow();
            // The link shows the narration, not the ids behind it (the clip id would hand out the upload) nor its owner-only translations.
            var snapshot = new SharedNarration(token, record with { Id = token, ClipId = "", Translations = null }, frames, now);
            await File.WriteAllTextAsync(Path.Combine(target, SnapshotFile), JsonSerializer.Serialize(snapshot, Json), cancellationToken).ConfigureAwait(false);
            await using var connection = await database.OpenForWriteAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO shares (token, narration_id, owner, created_at) VALUES ($token, $narration, $owner, $created)";
            command.Parameters.AddWithValue("$token", token);
            command.Parameters.AddWithValue("$narration", narrationId);
            command.Parameters.AddWithValue("$owner", owner.Value);
            command.Parameters.AddWithValue("$created", now.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Narration {NarrationId} published as share {Token}", narrationId, token);
            return snapshot;
        }
        catch (Exception ex) when (ex is IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            TryDelete(target);
            if (StorageFull.Is(ex))
            {
                throw new StorageFullException("The server's disk is full, so the link could not be made; please try again later.", ex);
            }
            throw;
        }
    }

    /// <summary>Takes the link of one of <paramref name="owner"/>'s narrations down; false when it was not shared. <see cref="NotYoursException"/> for someone else's.</summary>
    public async Task<bool> RevokeAsync(string narrationId, NarrationOwner owner, CancellationToken cancellationToken)
    {
        var narrationOwner = await narrations.OwnerOfAsync(narrationId, cancellationToken).ConfigureAwait(false);
        if (narrationOwner is not null && narrationOwner != owner)
        {
            throw new NotYoursException($"Narration \"{narrationId}\" belongs to another visitor; only they can stop sharing it.");
        }
        if (await TokenOfAsync(narrationId, cancellationToken).ConfigureAwait(false) is not { } token)
        {
            return false;
        }
        await using (var connection = await database.OpenForWriteAsync(cancellationToken).ConfigureAwait(false))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "DELETE FROM shares WHERE token = $token AND owner = $owner";
            command.Parameters.AddWithValue("$token", token);
            command.Parameters.AddWithValue("$owner", owner.Value);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        TryDelete(folder.ShareFolder(token));
        logger.LogInformation("Share {Token} of narration {NarrationId} revoked", token, narrationId);
        return true;
    }

    /// <summary>The published link of a narration, or null when it is not shared.</summary>
    public async Task<string?> TokenOfAsync(string narrationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT token FROM shares WHERE narration_id = $narration";
        command.Parameters.AddWithValue("$narration", narrationId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <summary>A published narration by its token, or null (unknown, revoked, or not a token at all).</summary>
    public async Task<SharedNarration?> GetAsync(string token, CancellationToken cancellationToken)
    {
        if (!IsToken(token))
        {
            return null;
        }
        await using (var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT COUNT(*) FROM shares WHERE token = $token";
            command.Parameters.AddWithValue("$token", token);
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long count || count == 0)
            {
                return null;
            }
        }
        string path = Path.Combine(folder.ShareFolder(token), SnapshotFile);
        if (!File.Exists(path))
        {
            return null;
        }
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<SharedNarration>(stream, Json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The file of frame <paramref name="number"/> of a published narration, or null.</summary>
    public async Task<string?> FramePathAsync(string token, int number, CancellationToken cancellationToken)
    {
        if (number < 0 || await GetAsync(token, cancellationToken).ConfigureAwait(false) is not { } shared || number >= shared.Frames.Count)
        {
            return null;
        }
        string path = Path.Combine(folder.ShareFolder(token), "frames", $"{number}.jpg");
        return File.Exists(path) ? path : null;
    }

    private List<SharedFrame> CopyFrames(string clipId, string token, string target)
    {
        string frames = Path.Combine(target, "frames");
        Directory.CreateDirectory(frames);
        var copied = new List<SharedFrame>();
        // The clip may have expired: the page then shows the text without frames.
        if (clips.Get(clipId) is not { } clip)
        {
            return copied;
        }
        for (int i = 0; i < clip.Frames.Count; i++)
        {
            if (clips.FramePath(clipId, i) is { } source)
            {
                File.Copy(source, Path.Combine(frames, $"{copied.Count}.jpg"));
                copied.Add(new SharedFrame(clip.Frames[i].TimestampSeconds, $"{ApiRoute}/{token}/frames/{copied.Count}"));
            }
        }
        return copied;
    }

    private static bool IsToken(string token) => token is { Length: 32 } && token.All(char.IsAsciiHexDigitLower);

    private void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException ex)
        {
            logger.LogWarning(ex, "Could not delete the share folder {Path}", path);
        }
    }
}

/// <summary>A share that cannot be made: the status and code for the API, and the sentence for the person.</summary>
public sealed class ShareRefusedException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}
