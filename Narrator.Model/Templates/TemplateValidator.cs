using System.Text.RegularExpressions;

namespace Narrator.Model.Templates;

/// <summary>
/// Checks a template (built-in, from a file, or a visitor's own): id shape, name/description/prompt lengths, no
/// control tokens in the prompt, option and tag-option ranges. Every problem is reported, named by its field.
/// </summary>
public static partial class TemplateValidator
{
    public const int MinIdLength = 2;
    public const int MaxIdLength = 48;
    public const int MaxNameLength = 60;
    public const int MaxDescriptionLength = 400;
    public const int MaxPromptLength = 4000;

    public static IReadOnlyList<SettingError> Validate(PromptTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var errors = new List<SettingError>();
        if (string.IsNullOrEmpty(template.Id) || template.Id.Length < MinIdLength || template.Id.Length > MaxIdLength || !IdPattern().IsMatch(template.Id))
        {
            errors.Add(new("id", $"id must be {MinIdLength}–{MaxIdLength} characters of a-z, 0-9 and '-', starting with a letter or digit (got \"{Shorten(template.Id)}\")."));
        }

        var name = template.Name ?? new LocalizedText("", "");
        if (string.IsNullOrWhiteSpace(name.Zh) && string.IsNullOrWhiteSpace(name.En))
        {
            errors.Add(new("name", "name needs a Chinese or an English text."));
        }
        CheckLength(errors, "name.zh", name.Zh, MaxNameLength);
        CheckLength(errors, "name.en", name.En, MaxNameLength);
        var description = template.Description ?? new LocalizedText("", "");
        CheckLength(errors, "description.zh", description.Zh, MaxDescriptionLength);
        CheckLength(errors, "description.en", description.En, MaxDescriptionLength);

        if (string.IsNullOrWhiteSpace(template.Prompt))
        {
            errors.Add(new("prompt", "prompt must not be empty."));
        }
        else
        {
            CheckLength(errors, "prompt", template.Prompt, MaxPromptLength);
            if (Text.ControlTokens.Find(template.Prompt) is { } token)
            {
                errors.Add(new("prompt", $"prompt must not contain the control token \"{token}\"."));
            }
        }

        if (!TemplateOutputKinds.IsRegistered(template.Output))
        {
            errors.Add(new("output", $"output must be {TemplateOutputKinds.NameList}."));
        }

        var options = NarrationOptionsResolver.Validate(template.Defaults.ApplyTo(new NarrationOptions(new Media.FrameOptions(), new Generation.GenerationOptions())));
        errors.AddRange(options);

        if (template.Tags is { } tags)
        {
            if (tags.MaxWords is < 1 or > 12)
            {
                errors.Add(new("tags.maxWords", $"tags.maxWords must be between 1 and 12 (got {tags.MaxWords})."));
            }
            if (tags.MaxLength is < 4 or > 200)
            {
                errors.Add(new("tags.maxLength", $"tags.maxLength must be between 4 and 200 (got {tags.MaxLength})."));
            }
            if (tags.MaxCount is < 1 or > 100)
            {
                errors.Add(new("tags.maxCount", $"tags.maxCount must be between 1 and 100 (got {tags.MaxCount})."));
            }
            if (!Enum.IsDefined(tags.Order))
            {
                errors.Add(new("tags.order", "tags.order must be asGenerated or alphabetical."));
            }
        }
        return errors;
    }

    /// <summary>
    /// Checks a visitor's own template: everything <see cref="Validate"/> checks, and that its id does not take the
    /// id of a template in <paramref name="catalogue"/> (built-in or configured).
    /// </summary>
    public static IReadOnlyList<SettingError> ValidateCustom(PromptTemplate template, TemplateCatalogue catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var errors = new List<SettingError>(Validate(template));
        if (!string.IsNullOrEmpty(template.Id) && catalogue.TryGet(template.Id, out var existing) && existing.Source != PromptTemplate.CustomSource)
        {
            errors.Add(new("id", $"id \"{template.Id}\" is taken by a built-in template; choose another."));
        }
        return errors;
    }

    /// <summary>Throws a <see cref="SettingsValidationException"/> listing every problem, if there is one.</summary>
    public static void ThrowIfInvalid(IReadOnlyList<SettingError> errors)
    {
        if (errors.Count > 0)
        {
            throw new SettingsValidationException(errors);
        }
    }

    private static void CheckLength(List<SettingError> errors, string field, string? text, int max)
    {
        if (text is not null && text.Length > max)
        {
            errors.Add(new(field, $"{field} must be at most {max} characters (got {text.Length})."));
        }
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length > 60 ? text[..60] + "…" : text;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
