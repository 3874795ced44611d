using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text;
using Narrator.Model;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Templates;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Visitors;
using Narrator.Web.Workbench;

namespace Narrator.Web.Api;

/// <summary><c>/api/narrations</c>: start a narration, follow it as server-sent events, read it, cancel it, list history.</summary>
public static class NarrationsApi
{
    public const string Route = "/api/narrations";

    public static RouteGroupBuilder MapNarrationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Route).WithTags("Narrations");
        // Every error is a ProblemDetails (ApiProblems); each route lists the ones its handler and the middleware can send.
        group.ProducesProblem(StatusCodes.Status500InternalServerError);
        group.MapPost("/", StartNarration)
            .WithName(nameof(StartNarration))
            .WithSummary("Queue a narration of an uploaded clip; returns 202 with its id. Follow it at /api/narrations/{id}/events.")
            // 400 invalid request (unknown clip or template included), 413 body over the server's limit, 415 not JSON,
            // 422 too long for the model's context, 429 too many, 503 queue full or shutting down.
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType,
                StatusCodes.Status422UnprocessableEntity, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery()
            .RequireRateLimiting(ClientRateLimits.StartsPolicy);
        group.MapGet("/{id}/events", StreamNarrationEvents)
            .WithName(nameof(StreamNarrationEvents))
            .WithSummary("Server-sent events of one narration: queued, started, stage, token, then completed or failed. Resumes after Last-Event-ID.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        group.MapGet("/{id}", GetNarration)
            .WithName(nameof(GetNarration))
            .WithSummary("One narration: its state, position while queued, text so far or final, stats, error; its translations for its owner only.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/export", ExportNarration)
            .WithName(nameof(ExportNarration))
            .WithSummary("A finished narration as a file: format=json (default), ndjson, srt, vtt or txt; a long video gives one entry per segment; lang=fr gives the French translation's text instead (your own narrations' translations only).")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict)
            .Produces(StatusCodes.Status200OK, contentType: "application/json");
        group.MapPost("/{id}/translations", TranslateNarration)
            .WithName(nameof(TranslateNarration))
            .WithSummary("Queue a translation of your ended narration by the same model (text only; an interrupted one from the text it reached), one language after another; follow it at /api/narrations/{translationId}/events. The result is stored with the narration and shown to you alone; 404 for another visitor's narration.")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status413PayloadTooLarge,
                StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery()
            .RequireRateLimiting(ClientRateLimits.StartsPolicy);
        group.MapDelete("/{id}", CancelNarration)
            .WithName(nameof(CancelNarration))
            .WithSummary("Cancel one of your narrations: removed if queued, stopped at the next token if running; 403 for another visitor's.")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict)
            .DisableAntiforgery();
        group.MapDelete("/{id}/record", DeleteNarration)
            .WithName(nameof(DeleteNarration))
            .WithSummary("Delete one of your ended narrations for good: its record, translations, search entries and share link; afterwards every read of it answers 404. 409 while it (or a translation of it) is queued or running: stop it first. 403 for another visitor's; with the admin key: anyone's. 507 when the disk is too full to delete it yet.")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status507InsufficientStorage)
            .DisableAntiforgery();
        group.MapGet("/", ListNarrations)
            .WithName(nameof(ListNarrations))
            .WithSummary("Your ended narrations (completed, failed, interrupted), newest first; filter by clipId, template or state, page with before. With the admin key: everyone's.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return group;
    }

    public static async Task<Results<Accepted<NarrationAccepted>, ProblemHttpResult>> StartNarration(
        StartNarrationBody body, HttpContext context, NarrationService narrations, CancellationToken cancellationToken)
    {
        try
        {
            var job = await narrations.StartAsync(ToRequest(body), VisitorCookie.CallerOf(context), cancellationToken).ConfigureAwait(false);
            string status = $"{Route}/{job.Id}";
            return TypedResults.Accepted(status, new NarrationAccepted(job.Id, $"{status}/events", status));
        }
        catch (NarrationRejectedException ex)
        {
            return ApiProblems.Rejected(ex);
        }
    }

    public static async Task<Results<ServerSentEventsResult<NarrationEvent>, ProblemHttpResult>> StreamNarrationEvents(
        string id, HttpContext context, NarrationService narrations, CancellationToken cancellationToken)
    {
        int from = 0;
        if (int.TryParse(context.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out int lastSeen))
        {
            from = lastSeen + 1;
        }
        var reader = VisitorCookie.OwnerOf(context);
        if (narrations.Find(id) is { } job)
        {
            // A translation streams the translated text: only the visitor who asked for it follows it.
            return job.Work.Translation is not null && job.Owner != reader
                ? ApiProblems.NarrationNotFound(id)
                : TypedResults.ServerSentEvents(FromJob(job, from, cancellationToken));
        }
        var record = await narrations.ReadAsync(id, reader, cancellationToken).ConfigureAwait(false);
        return record is null
            ? ApiProblems.NarrationNotFound(id)
            : TypedResults.ServerSentEvents(FromRecord(record));
    }

    public static async Task<Results<Ok<NarrationRecord>, ProblemHttpResult>> GetNarration(
        string id, HttpContext context, NarrationService narrations, CancellationToken cancellationToken) =>
        await narrations.ReadAsync(id, VisitorCookie.OwnerOf(context), cancellationToken).ConfigureAwait(false) is { } record
            ? TypedResults.Ok(record)
            : ApiProblems.NarrationNotFound(id);

    public static async Task<Results<Accepted<TranslationAccepted>, ProblemHttpResult>> TranslateNarration(
        string id, TranslateNarrationBody body, HttpContext context, NarrationService narrations, CancellationToken cancellationToken)
    {
        try
        {
            var job = await narrations.TranslateAsync(id, body.Languages, VisitorCookie.CallerOf(context), cancellationToken).ConfigureAwait(false);
            string status = $"{Route}/{job.Id}";
            return TypedResults.Accepted(status, new TranslationAccepted(job.Id, id,
                [.. job.Work.Translation!.Languages.Select(language => language.Code)], $"{status}/events", status));
        }
        catch (NarrationRejectedException ex)
        {
            return ApiProblems.Rejected(ex);
        }
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportNarration(
        string id, HttpContext context, NarrationService narrations, NarrationExporter exporter, CancellationToken cancellationToken,
        string? format = null, string? lang = null)
    {
        ExportFormat exportFormat;
        try
        {
            exportFormat = ExportFormats.Parse(format ?? "json");
        }
        catch (UserInputException ex)
        {
            return ApiProblems.BadRequest(ex.Message);
        }
        // Another visitor's narration exports without its translations (they are its owner's alone).
        var reader = VisitorCookie.OwnerOf(context);
        var record = await narrations.ReadAsync(id, reader, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return ApiProblems.NarrationNotFound(id);
        }
        if (record.State.IsLive())
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "Not finished",
                $"Narration \"{id}\" is still {record.State.ToName()}; export it once it has finished.", "not_finished");
        }
        if (record.Text.Length == 0 && record.Segments is not { Count: > 0 })
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "Nothing to export",
                $"Narration \"{id}\" produced no text to export ({record.Error ?? "it is empty"}).", "nothing_to_export");
        }
        string content;
        try
        {
            content = await exporter.ExportAsync(record, exportFormat, cancellationToken, string.IsNullOrWhiteSpace(lang) ? null : lang.Trim()).ConfigureAwait(false);
        }
        catch (UserInputException ex)
        {
            string detail = string.IsNullOrWhiteSpace(lang) || await narrations.OwnerOfAsync(id, cancellationToken).ConfigureAwait(false) == reader
                ? ex.Message
                : $"Narration \"{id}\" has no translation into \"{lang.Trim()}\" that you can read; only the visitor who made a narration sees its translations.";
            return ApiProblems.Problem(StatusCodes.Status404NotFound, "No such translation", detail, "translation_not_found");
        }
        string extension = string.IsNullOrWhiteSpace(lang) ? exportFormat.FileExtension() : $".{lang.Trim()}{exportFormat.FileExtension()}";
        // The name says a narration is partial too, for formats (SubRip) that have no place to say it inside.
        string? incomplete = record.State is NarrationState.Completed ? null : record.State.ToName();
        return TypedResults.File(Encoding.UTF8.GetBytes(content), exportFormat.ContentType(),
            NarrationDownload.FileName(record.ClipLabel, record.Template, extension, incomplete));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> CancelNarration(
        string id, HttpContext context, NarrationService narrations, CancellationToken cancellationToken) =>
        await narrations.CancelAsync(id, VisitorCookie.OwnerOf(context), cancellationToken).ConfigureAwait(false) switch
        {
            CancelOutcome.Cancelled => TypedResults.NoContent(),
            CancelOutcome.NotYours => ApiProblems.NotYours($"Narration \"{id}\" was started by another visitor; only they can cancel it."),
            CancelOutcome.AlreadyFinished => ApiProblems.Problem(StatusCodes.Status409Conflict, "Already finished",
                $"Narration \"{id}\" has already finished.", "already_finished"),
            _ => ApiProblems.NarrationNotFound(id),
        };

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteNarration(
        string id, HttpContext context, NarrationService narrations, AdminAccess admin, CancellationToken cancellationToken) =>
        // The operator's key may delete anyone's narration (moderation); a visitor only their own.
        await narrations.DeleteAsync(id, admin.IsAdmin(context) ? null : VisitorCookie.OwnerOf(context), cancellationToken).ConfigureAwait(false) switch
        {
            DeleteOutcome.Deleted => TypedResults.NoContent(),
            DeleteOutcome.NotYours => ApiProblems.NotYours($"Narration \"{id}\" was made by another visitor; only they can delete it."),
            DeleteOutcome.StillRunning => ApiProblems.Problem(StatusCodes.Status409Conflict, "Still running",
                $"Narration \"{id}\" or a translation of it is still queued or running; stop it first (DELETE /api/narrations/ with its id), then delete the narration.",
                "still_running"),
            _ => ApiProblems.NarrationNotFound(id),
        };

    public static async Task<Results<Ok<IReadOnlyList<NarrationRecord>>, ProblemHttpResult>> ListNarrations(
        HttpContext context, NarrationService narrations, AdminAccess admin, CancellationToken cancellationToken,
        int? limit = null, DateTimeOffset? before = null, string? clipId = null, string? template = null, string? state = null)
    {
        if (limit is < 1 or > HistoryQuery.MaxLimit)
        {
            return ApiProblems.BadRequest($"limit must be between 1 and {HistoryQuery.MaxLimit}.");
        }
        NarrationState? ended = null;
        if (state is not null)
        {
            if (!NarrationStates.TryParse(state, out var parsed) || parsed.IsLive())
            {
                return ApiProblems.BadRequest("state must be \"completed\", \"failed\" or \"interrupted\".");
            }
            ended = parsed;
        }
        // A visitor sees only their own; the operator's key lists everyone's (and rows from before visitors existed).
        NarrationOwner? owner = admin.IsAdmin(context) ? null : VisitorCookie.OwnerOf(context);
        var query = new HistoryQuery { Limit = limit ?? 20, Before = before, ClipId = clipId, Template = template, State = ended, Owner = owner };
        return TypedResults.Ok(await narrations.ListAsync(query, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Flat body fields override the template's defaults one by one (template defaults &lt; request overrides).</summary>
    private static NarrationRequest ToRequest(StartNarrationBody body) => new()
    {
        ClipId = body.ClipId ?? "",
        Template = body.Template,
        Prompt = body.Prompt,
        Split = body.Split,
        Subtitles = body.Subtitles,
        Translate = body.Translate,
        // The body is an option layer itself; layering it copies just its settings.
        Options = body.Over(TemplateOptions.None),
    };

    private static async IAsyncEnumerable<SseItem<NarrationEvent>> FromJob(
        NarrationJob job, int from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (index, narrationEvent) in job.ReadEventsAsync(from, cancellationToken).ConfigureAwait(false))
        {
            yield return new SseItem<NarrationEvent>(narrationEvent, narrationEvent.Name) { EventId = index.ToString(CultureInfo.InvariantCulture) };
        }
    }

    /// <summary>A narration only the history still knows: its segments and final event, rebuilt from the stored record.</summary>
    private static async IAsyncEnumerable<SseItem<NarrationEvent>> FromRecord(NarrationRecord record)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var narrationEvent in record.ToEvents())
        {
            yield return new SseItem<NarrationEvent>(narrationEvent, narrationEvent.Name);
        }
    }
}
