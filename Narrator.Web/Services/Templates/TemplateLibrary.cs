using Narrator.Model.Templates;

namespace Narrator.Web.Services.Templates;

/// <summary>
/// Every template a request may name: the catalogue (built-in + configured files, <c>Narrator:Templates:Files</c>) and
/// visitors' own templates from the SQLite store. Custom template ids are unique across owners and usable by anyone
/// who knows them; only their owner may change or delete them.
/// </summary>
public sealed class TemplateLibrary(TemplateCatalogue catalogue, CustomTemplateStore custom)
{
    /// <summary>Most templates one owner may keep.</summary>
    public const int MaxPerOwner = 50;

    public TemplateCatalogue Catalogue => catalogue;

    /// <summary>The built-in templates, then <paramref name="owner"/>'s own (newest first).</summary>
    public async Task<IReadOnlyList<PromptTemplate>> ListAsync(string? owner, CancellationToken cancellationToken)
    {
        var own = owner is null ? [] : await custom.ListAsync(owner, cancellationToken).ConfigureAwait(false);
        return [.. catalogue.Templates, .. own.Select(t => t.Template)];
    }

    /// <summary>A built-in or custom template by id, or null.</summary>
    public async Task<PromptTemplate?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (catalogue.TryGet(id, out var template))
        {
            return template;
        }
        return (await custom.GetAsync(id, cancellationToken).ConfigureAwait(false))?.Template;
    }

    /// <summary>The template used when a request names none.</summary>
    public PromptTemplate Default => catalogue.Default;

    /// <summary>
    /// Saves <paramref name="owner"/>'s template (new, or a change to one they own). Throws
    /// <see cref="SettingsValidationException"/> for invalid fields and <see cref="TemplateConflictException"/> when the id
    /// belongs to a built-in or someone else's template, or the owner has too many.
    /// </summary>
    public async Task<PromptTemplate> SaveAsync(PromptTemplate template, string owner, CancellationToken cancellationToken)
    {
        template = template with { Source = PromptTemplate.CustomSource };
        TemplateValidator.ThrowIfInvalid(TemplateValidator.ValidateCustom(template, catalogue));
        var existing = await custom.GetAsync(template.Id, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.Owner != owner)
        {
            throw new TemplateConflictException($"The template id \"{template.Id}\" is already taken; choose another.");
        }
        if (existing is null && await custom.CountAsync(owner, cancellationToken).ConfigureAwait(false) >= MaxPerOwner)
        {
            throw new TemplateConflictException($"You already have {MaxPerOwner} templates; delete one before saving another.");
        }
        await custom.SaveAsync(template, owner, cancellationToken).ConfigureAwait(false);
        return template;
    }

    /// <summary>Deletes one of <paramref name="owner"/>'s templates; false when they have none with that id.</summary>
    public Task<bool> DeleteAsync(string id, string owner, CancellationToken cancellationToken) =>
        custom.DeleteAsync(id, owner, cancellationToken);

    /// <summary>Whether <paramref name="id"/> is a custom template owned by someone other than <paramref name="owner"/>.</summary>
    public async Task<bool> IsOwnedByAnotherAsync(string id, string owner, CancellationToken cancellationToken) =>
        await custom.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } stored && stored.Owner != owner;
}

/// <summary>A custom template cannot be saved under that id (taken) or the owner is at their limit.</summary>
public sealed class TemplateConflictException(string message) : Narrator.Model.UserInputException(message);
