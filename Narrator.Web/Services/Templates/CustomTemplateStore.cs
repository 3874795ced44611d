using System.Text.Json;
using Narrator.Model.Templates;

namespace Narrator.Web.Services.Templates;

/// <summary>Visitors' own templates in SQLite, each with its owner; stored as the template's JSON.</summary>
public sealed class CustomTemplateStore(NarratorDatabase database, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<StoredTemplate?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, owner, body FROM custom_templates WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<StoredTemplate>> ListAsync(string owner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, owner, body FROM custom_templates WHERE owner = $owner ORDER BY updated_at DESC";
        command.Parameters.AddWithValue("$owner", owner);
        var templates = new List<StoredTemplate>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            templates.Add(Read(reader));
        }
        return templates;
    }

    public async Task<int> CountAsync(string owner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM custom_templates WHERE owner = $owner";
        command.Parameters.AddWithValue("$owner", owner);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Inserts or replaces; the caller has checked the id is free or already this owner's. Throws
    /// <see cref="StorageFullException"/> when the disk is full.
    /// </summary>
    public async Task SaveAsync(PromptTemplate template, string owner, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(template, owner, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFull.Is(ex))
        {
            throw new StorageFullException($"The server's disk is full, so the template \"{template.Id}\" could not be saved; please try again later.", ex);
        }
    }

    private async Task WriteAsync(PromptTemplate template, string owner, CancellationToken cancellationToken)
    {
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenForWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO custom_templates (id, owner, body, created_at, updated_at) VALUES ($id, $owner, $body, $now, $now)
            ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at WHERE owner = excluded.owner
            """;
        command.Parameters.AddWithValue("$id", template.Id);
        command.Parameters.AddWithValue("$owner", owner);
        command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(template, Json));
        command.Parameters.AddWithValue("$now", now);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes one of <paramref name="owner"/>'s templates; throws <see cref="StorageFullException"/> when the disk is full.</summary>
    public async Task<bool> DeleteAsync(string id, string owner, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenForWriteAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM custom_templates WHERE id = $id AND owner = $owner";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$owner", owner);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
        catch (Exception ex) when (StorageFull.Is(ex))
        {
            throw new StorageFullException($"The server's disk is full, so the template \"{id}\" could not be deleted; please try again later.", ex);
        }
    }

    private static StoredTemplate Read(Microsoft.Data.Sqlite.SqliteDataReader reader) => new(
        reader.GetString(1),
        JsonSerializer.Deserialize<PromptTemplate>(reader.GetString(2), Json)! with { Id = reader.GetString(0), Source = PromptTemplate.CustomSource });
}

/// <summary>A custom template and who may change it.</summary>
public sealed record StoredTemplate(string Owner, PromptTemplate Template);
