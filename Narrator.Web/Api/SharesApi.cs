using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Narrator.Model;
using Narrator.Model.Exports;
using Narrator.Web.Services;
using Narrator.Web.Services.Sharing;
using Narrator.Web.Services.Visitors;
using Narrator.Web.Workbench;

namespace Narrator.Web.Api;

/// <summary>
/// Share links: the owner publishes (<c>POST /api/narrations/{id}/share</c>) or revokes (<c>DELETE</c>) a read-only page
/// of one finished narration; anyone with the token reads it (<c>/api/shares/{token}</c>, its frames and exports, and
/// the page <c>/share/{token}</c>) until it is revoked.
/// </summary>
public static class SharesApi
{
    public static IEndpointRouteBuilder MapSharesApi(this IEndpointRouteBuilder app)
    {
        var narrations = app.MapGroup(NarrationsApi.Route).WithTags("Sharing");
        narrations.ProducesProblem(StatusCodes.Status500InternalServerError);
        narrations.MapPost("/{id}/share", ShareNarration)
            .WithName(nameof(ShareNarration))
            .WithSummary("Publish one of your completed narrations as a read-only page; returns its link (the same link if it is already shared). 403 for another visitor's.")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status507InsufficientStorage)
            .DisableAntiforgery();
        narrations.MapDelete("/{id}/share", UnshareNarration)
            .WithName(nameof(UnshareNarration))
            .WithSummary("Take the read-only page of one of your narrations down; its link answers 404 from then on. 403 for another visitor's.")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound)
            .DisableAntiforgery();
        var shares = app.MapGroup(ShareLinks.ApiRoute).WithTags("Sharing");
        shares.ProducesProblem(StatusCodes.Status500InternalServerError);
        shares.MapGet("/{token}", GetShare)
            .WithName(nameof(GetShare))
            .WithSummary("A shared narration: prompt, settings, text, stats, segments and its frames' URLs.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        shares.MapGet("/{token}/frames/{n:int}", GetSharedFrame)
            .WithName(nameof(GetSharedFrame))
            .WithSummary("Frame n of a shared narration as a JPEG.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        shares.MapGet("/{token}/export", ExportShare)
            .WithName(nameof(ExportShare))
            .WithSummary("A shared narration as a file: format=json (default), ndjson, srt, vtt or txt.")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Created<ShareLink>, ProblemHttpResult>> ShareNarration(
        string id, HttpContext context, ShareLinks shares, CancellationToken cancellationToken)
    {
        try
        {
            var shared = await shares.PublishAsync(id, VisitorCookie.OwnerOf(context), cancellationToken).ConfigureAwait(false);
            return TypedResults.Created(shared.PagePath, new ShareLink(shared.Token, shared.PagePath));
        }
        catch (NotYoursException ex)
        {
            return ApiProblems.NotYours(ex.Message);
        }
        catch (ShareRefusedException ex)
        {
            return ApiProblems.Problem(ex.Status, ex.Status == StatusCodes.Status404NotFound ? "Narration not found" : "Cannot share", ex.Message, ex.Code);
        }
        catch (StorageFullException ex)
        {
            return ApiProblems.Problem(StatusCodes.Status507InsufficientStorage, "Storage full", ex.Message, "storage_full");
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> UnshareNarration(
        string id, HttpContext context, ShareLinks shares, CancellationToken cancellationToken)
    {
        try
        {
            return await shares.RevokeAsync(id, VisitorCookie.OwnerOf(context), cancellationToken).ConfigureAwait(false)
                ? TypedResults.NoContent()
                : ApiProblems.Problem(StatusCodes.Status404NotFound, "Not shared", $"Narration \"{id}\" is not shared.", "not_shared");
        }
        catch (NotYoursException ex)
        {
            return ApiProblems.NotYours(ex.Message);
        }
    }

    public static async Task<Results<Ok<SharedNarration>, ProblemHttpResult>> GetShare(string token, ShareLinks shares, CancellationToken cancellationToken) =>
        await shares.GetAsync(token, cancellationToken).ConfigureAwait(false) is { } shared ? TypedResults.Ok(shared) : ShareNotFound(token);

    public static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> GetSharedFrame(
        string token, int n, ShareLinks shares, CancellationToken cancellationToken) =>
        await shares.FramePathAsync(token, n, cancellationToken).ConfigureAwait(false) is { } path
            ? TypedResults.PhysicalFile(path, "image/jpeg")
            : ApiProblems.Problem(StatusCodes.Status404NotFound, "Frame not found", $"Share \"{token}\" has no frame {n} (or it was revoked).", "frame_not_found");

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportShare(
        string token, ShareLinks shares, NarrationExporter exporter, CancellationToken cancellationToken, string? format = null)
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
        if (await shares.GetAsync(token, cancellationToken).ConfigureAwait(false) is not { } shared)
        {
            return ShareNotFound(token);
        }
        var record = shared.Narration;
        string content = await exporter.ExportAsync(record, exportFormat, cancellationToken).ConfigureAwait(false);
        return TypedResults.File(Encoding.UTF8.GetBytes(content), exportFormat.ContentType(),
            NarrationDownload.FileName(record.ClipLabel, record.Template, exportFormat.FileExtension()));
    }

    private static ProblemHttpResult ShareNotFound(string token) =>
        ApiProblems.Problem(StatusCodes.Status404NotFound, "Share not found", $"There is no shared narration \"{token}\" (or its owner stopped sharing it).", "share_not_found");
}

/// <summary>A published narration's token and the path of its read-only page.</summary>
public sealed record ShareLink(string Token, string Url);
