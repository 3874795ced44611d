using Microsoft.AspNetCore.Http.HttpResults;
using Narrator.Model.Templates;
using Narrator.Model.Text;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Templates;
using Narrator.Web.Services.Visitors;

namespace Narrator.Web.Api;

/// <summary><c>/api/templates</c>: list the built-in templates and your own; create, change and delete your own.</summary>
public static class TemplatesApi
{
    public const string Route = "/api/templates";

    public static RouteGroupBuilder MapTemplatesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Route).WithTags("Templates");
        // Every error is a ProblemDetails (ApiProblems); each route lists the ones its handler and the middleware can send.
        group.ProducesProblem(StatusCodes.Status500InternalServerError);
        group.MapGet("/", ListTemplates)
            .WithName(nameof(ListTemplates))
            .WithSummary("The built-in templates, then the ones you saved: id, names and descriptions (中文/English), prompt, default options, output kind.");
        group.MapGet("/{id}", GetTemplate)
            .WithName(nameof(GetTemplate))
            .WithSummary("One template by id (built-in or custom).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateTemplate)
            .WithName(nameof(CreateTemplate))
            .WithSummary("Save your own template (validated: id, lengths, option ranges); its id must be new.")
            .ProducesValidationProblem().ProducesProblems(StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge,
                StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status429TooManyRequests, StatusCodes.Status507InsufficientStorage)
            .DisableAntiforgery()
            .RequireRateLimiting(ClientRateLimits.StartsPolicy);
        group.MapPut("/{id}", UpdateTemplate)
            .WithName(nameof(UpdateTemplate))
            .WithSummary("Change one of your own templates; 403 for a built-in or another visitor's.")
            .ProducesValidationProblem().ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
                StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType,
                StatusCodes.Status429TooManyRequests, StatusCodes.Status507InsufficientStorage)
            .DisableAntiforgery()
            .RequireRateLimiting(ClientRateLimits.StartsPolicy);
        group.MapDelete("/{id}", DeleteTemplate)
            .WithName(nameof(DeleteTemplate))
            .WithSummary("Delete one of your own templates.")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status507InsufficientStorage)
            .DisableAntiforgery();
        return group;
    }

    public static async Task<Ok<IReadOnlyList<PromptTemplate>>> ListTemplates(
        HttpContext context, TemplateLibrary templates, CancellationToken cancellationToken) =>
        TypedResults.Ok(await templates.ListAsync(Owner(context), cancellationToken).ConfigureAwait(false));

    public static async Task<Results<Ok<PromptTemplate>, ProblemHttpResult>> GetTemplate(
        string id, TemplateLibrary templates, CancellationToken cancellationToken) =>
        await templates.FindAsync(id, cancellationToken).ConfigureAwait(false) is { } template
            ? TypedResults.Ok(template)
            : NotFound(id);

    public static async Task<Results<Created<PromptTemplate>, ProblemHttpResult>> CreateTemplate(
        CustomTemplateBody body, HttpContext context, TemplateLibrary templates, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(body.Id) && await templates.FindAsync(body.Id, cancellationToken).ConfigureAwait(false) is not null)
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "Template id taken",
                $"A template with id \"{body.Id}\" already exists; choose another id, or PUT to change your own.", "template_conflict");
        }
        var (saved, problem) = await SaveAsync(body.ToTemplate(body.Id), context, templates, cancellationToken).ConfigureAwait(false);
        return saved is not null ? TypedResults.Created($"{Route}/{saved.Id}", saved) : problem!;
    }

    public static async Task<Results<Ok<PromptTemplate>, ProblemHttpResult>> UpdateTemplate(
        string id, CustomTemplateBody body, HttpContext context, TemplateLibrary templates, CancellationToken cancellationToken)
    {
        if (templates.Catalogue.TryGet(id, out _))
        {
            return ApiProblems.Problem(StatusCodes.Status403Forbidden, "Built-in template",
                $"\"{id}\" is a built-in template and cannot be changed; save a copy under a new id.", "template_read_only");
        }
        if (await templates.FindAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return NotFound(id);
        }
        if (await templates.IsOwnedByAnotherAsync(id, Owner(context), cancellationToken).ConfigureAwait(false))
        {
            return ApiProblems.NotYours($"Template \"{id}\" belongs to another visitor, so it cannot be changed; save a copy under a new id.");
        }
        var (saved, problem) = await SaveAsync(body.ToTemplate(id), context, templates, cancellationToken).ConfigureAwait(false);
        return saved is not null ? TypedResults.Ok(saved) : problem!;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteTemplate(
        string id, HttpContext context, TemplateLibrary templates, CancellationToken cancellationToken)
    {
        if (await templates.DeleteAsync(id, Owner(context), cancellationToken).ConfigureAwait(false))
        {
            return TypedResults.NoContent();
        }
        if (templates.Catalogue.TryGet(id, out _))
        {
            return ApiProblems.Problem(StatusCodes.Status403Forbidden, "Built-in template",
                $"\"{id}\" is a built-in template and cannot be deleted.", "template_read_only");
        }
        return await templates.IsOwnedByAnotherAsync(id, Owner(context), cancellationToken).ConfigureAwait(false)
            ? ApiProblems.NotYours($"Template \"{id}\" belongs to another visitor, so it cannot be deleted.")
            : NotFound(id);
    }

    private static async Task<(PromptTemplate? Saved, ProblemHttpResult? Problem)> SaveAsync(
        PromptTemplate template, HttpContext context, TemplateLibrary templates, CancellationToken cancellationToken)
    {
        try
        {
            return (await templates.SaveAsync(template, Owner(context), cancellationToken).ConfigureAwait(false), null);
        }
        catch (SettingsValidationException ex)
        {
            // A control token is the same refusal a narration's prompt gets, so it carries the same code.
            bool controlToken = ControlTokens.Find(template.Prompt) is not null;
            var problem = TypedResults.Problem(detail: ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "The template is not valid",
                extensions: new Dictionary<string, object?>
                {
                    ["code"] = controlToken ? FailureCodes.InvalidPrompt : "invalid_template",
                    ["errors"] = ex.Errors.GroupBy(e => e.Setting).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
                });
            return (null, problem);
        }
        catch (TemplateConflictException ex)
        {
            return (null, ApiProblems.Problem(StatusCodes.Status409Conflict, "Template id taken", ex.Message, "template_conflict"));
        }
    }

    private static ProblemHttpResult NotFound(string id) =>
        ApiProblems.Problem(StatusCodes.Status404NotFound, "Template not found", $"There is no template \"{id}\".", "template_not_found");

    /// <summary>Custom templates belong to the visitor (their cookie), the same one the page uses.</summary>
    private static string Owner(HttpContext context) => VisitorCookie.OwnerOf(context).Value;
}

/// <summary>A custom template as sent to POST/PUT /api/templates; missing fields are reported by validation, not guessed.</summary>
public sealed record CustomTemplateBody
{
    public string? Id { get; init; }

    public LocalizedText? Name { get; init; }

    public LocalizedText? Description { get; init; }

    public string? Prompt { get; init; }

    public TemplateOutputKind? Output { get; init; }

    public TemplateOptions? Defaults { get; init; }

    public TagOptions? Tags { get; init; }

    public PromptTemplate ToTemplate(string? id) => new()
    {
        Id = id ?? "",
        Name = Name ?? new LocalizedText("", ""),
        Description = Description ?? new LocalizedText("", ""),
        Prompt = Prompt ?? "",
        Output = Output ?? TemplateOutputKind.Prose,
        Defaults = Defaults ?? TemplateOptions.None,
        Tags = Tags,
        Source = PromptTemplate.CustomSource,
    };
}
