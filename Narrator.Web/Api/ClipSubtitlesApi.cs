using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Narrator.Model;
using Narrator.Model.Subtitles;
using Narrator.Web.Services;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Visitors;
using Narrator.Web.Services.Subtitles;

namespace Narrator.Web.Api;

/// <summary><c>/api/clips/{id}/subtitles</c>: what dialogue a clip offers, the lines a choice puts in the prompt, and attaching an .srt/.vtt.</summary>
public static class ClipSubtitlesApi
{
    public static RouteGroupBuilder MapClipSubtitlesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ClipStore.RoutePrefix + "/{id}/subtitles").WithTags("Clips");
        group.MapGet("/", GetClipSubtitles)
            .WithName(nameof(GetClipSubtitles))
            .WithSummary("A clip's subtitle streams (picture ones with the reason they cannot be used), its attached file, and the lines source=auto|off|file|stream:N puts into the prompt.");
        group.MapPut("/", AttachClipSubtitles)
            .WithName(nameof(AttachClipSubtitles))
            .WithSummary("Attach an .srt or .vtt (multipart field \"file\", or the text as the body) to one of your clips; it replaces an earlier one and counts against your storage quota; 403 for another visitor's clip.")
            .Accepts<IFormFile>("multipart/form-data")
            .DisableAntiforgery()
            .RequireRateLimiting(ClientRateLimits.UploadsPolicy);
        group.MapDelete("/", DetachClipSubtitles)
            .WithName(nameof(DetachClipSubtitles))
            .WithSummary("Remove the attached subtitle file from one of your clips; 403 for another visitor's.")
            .DisableAntiforgery();
        return group;
    }

    public static async Task<Results<Ok<ClipSubtitlesView>, ProblemHttpResult>> GetClipSubtitles(
        string id, ClipStore clips, ClipSubtitles subtitles, CancellationToken cancellationToken, string? source = null)
    {
        if (clips.Find(id) is not { } clip)
        {
            return ApiProblems.ClipNotFound(id);
        }
        try
        {
            return TypedResults.Ok(await subtitles.ViewAsync(clip, SubtitleSelection.Parse(source), cancellationToken).ConfigureAwait(false));
        }
        catch (UserInputException ex)
        {
            return ApiProblems.BadRequest(ex.Message);
        }
    }

    public static async Task<Results<Ok<ClipSubtitlesInfo>, ProblemHttpResult>> AttachClipSubtitles(
        string id, HttpContext context, ClipStore clips, ClipSubtitles subtitles, CancellationToken cancellationToken)
    {
        var owner = VisitorCookie.OwnerOf(context);
        // Refused before the body is read: another visitor's clip is not theirs to change.
        if (NotYours(id, owner, clips) is { } refusal)
        {
            return refusal;
        }
        try
        {
            var (content, fileName) = await ReadBodyAsync(context.Request, cancellationToken).ConfigureAwait(false);
            await using (content)
            {
                return TypedResults.Ok(await subtitles.AttachAsync(id, owner, content, fileName, cancellationToken).ConfigureAwait(false));
            }
        }
        catch (ClipNotFoundException)
        {
            return ApiProblems.ClipNotFound(id);
        }
        catch (NotYoursException ex)
        {
            return ApiProblems.NotYours(ex.Message);
        }
        catch (ClipRejectedException ex)
        {
            return ApiProblems.ClipRejected(ex);
        }
        catch (UserInputException ex)
        {
            return SubtitlesRejected(ex.Message);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return ApiProblems.BadRequest(ex is InvalidDataException
                ? "The multipart body could not be read; send the subtitle file in a field named \"file\"."
                : "The upload ended before the whole subtitle file arrived (the body was cut short or the connection dropped); please send it again.");
        }
    }

    public static Results<NoContent, ProblemHttpResult> DetachClipSubtitles(string id, HttpContext context, ClipSubtitles subtitles)
    {
        try
        {
            return subtitles.Detach(id, VisitorCookie.OwnerOf(context))
                ? TypedResults.NoContent()
                : ApiProblems.Problem(StatusCodes.Status404NotFound, "No subtitle file", $"Clip \"{id}\" has no attached subtitle file.", "subtitles_not_found");
        }
        catch (ClipNotFoundException)
        {
            return ApiProblems.ClipNotFound(id);
        }
        catch (NotYoursException ex)
        {
            return ApiProblems.NotYours(ex.Message);
        }
    }

    /// <summary>A 403 when the clip exists and another visitor uploaded it.</summary>
    private static ProblemHttpResult? NotYours(string id, NarrationOwner owner, ClipStore clips) =>
        clips.Find(id) is { } clip && clip.Owner != owner
            ? ApiProblems.NotYours($"Clip \"{id}\" was uploaded by another visitor; only they can attach subtitles to it.")
            : null;

    /// <summary>A subtitle file that cannot be used: too large, not text, or without cues.</summary>
    public static ProblemHttpResult SubtitlesRejected(string detail) =>
        ApiProblems.Problem(StatusCodes.Status422UnprocessableEntity, "The subtitle file cannot be used", detail, "subtitles_rejected");

    /// <summary>The subtitle file from a multipart field "file", or the body itself when it is sent as text.</summary>
    private static async Task<(Stream Content, string? FileName)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            && HeaderUtilities.RemoveQuotes(type.Boundary).Value is { Length: > 0 and <= 200 } boundary)
        {
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition()
                    && HeaderUtilities.RemoveQuotes(disposition.Name).Value is "file" or "subtitles")
                {
                    var copy = new MemoryStream();
                    await CopyLimitedAsync(section.Body, copy, cancellationToken).ConfigureAwait(false);
                    copy.Position = 0;
                    return (copy, HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value ?? HeaderUtilities.RemoveQuotes(disposition.FileName).Value);
                }
            }
            throw new UserInputException("The form has no subtitle file in a field named \"file\".");
        }
        var body = new MemoryStream();
        await CopyLimitedAsync(request.Body, body, cancellationToken).ConfigureAwait(false);
        body.Position = 0;
        return (body, null);
    }

    /// <summary>Copies at most one byte more than a subtitle file may have, so the reader can refuse a larger one with its sentence.</summary>
    internal static async Task CopyLimitedAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > SubtitleFileReader.MaxBytes)
            {
                throw new UserInputException($"The subtitle file is larger than the {SubtitleFileReader.MaxBytes / (1024 * 1024)} MB limit.");
            }
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }
}
