using System.Text.Json;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Workspaces;

/// <summary>
/// Each visitor's <see cref="VisitorWorkspace"/> in the SQLite file, one row per visitor, replaced on every save. A
/// convenience, never in the way: a write that fails (a full disk) is logged and the page goes on.
/// </summary>
public sealed class WorkspaceStore(NarratorDatabase database, TimeProvider time, ILogger<WorkspaceStore> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The visitor's workspace, or null when they have none (or it cannot be read).</summary>
    public async Task<VisitorWorkspace?> LoadAsync(NarrationOwner owner, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT body FROM workspaces WHERE owner = $owner";
            command.Parameters.AddWithValue("$owner", owner.Value);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string body
                ? JsonSerializer.Deserialize<VisitorWorkspace>(body, Json)
                : null;
        }
        catch (JsonException ex)
        {
            logger.LogWarning(ex, "The saved workspace of {Owner} cannot be read; starting afresh", owner);
            return null;
        }
    }

    /// <summary>Saves the visitor's workspace; false (logged) when it could not be written.</summary>
    public async Task<bool> SaveAsync(NarrationOwner owner, VisitorWorkspace workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        try
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO workspaces (owner, body, updated_at) VALUES ($owner, $body, $updated)
                ON CONFLICT (owner) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
                """;
            command.Parameters.AddWithValue("$owner", owner.Value);
            command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(workspace, Json));
            command.Parameters.AddWithValue("$updated", time.GetUtcNow().ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            logger.LogWarning(ex, "Could not save the workspace of {Owner}{Reason}", owner, StorageFull.Is(ex) ? " (the disk is full)" : "");
            return false;
        }
    }
}
