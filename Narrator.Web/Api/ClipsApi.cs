using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Narrator.Model;
using Narrator.Model.Media;
using Narrator.Model.Subtitles;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Subtitles;
using Narrator.Web.Services.Visitors;

namespace Narrator.Web.Api;

/// <summary><c>/api/clips</c>: upload a clip, look at the frames the model will see, play its preview, re-plan, delete.</summary>
public static class ClipsApi
{
    // Multipart headers and boundaries around the file; generous, the file itself is counted exactly.
    private const long MultipartOverheadBytes = 64 * 1024;

    public static RouteGroupBuilder MapClipsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ClipStore.RoutePrefix).WithTags("Clips");
        group.MapPost("/", UploadClip)
            .WithName(nameof(UploadClip))
            .WithSummary("Upload a video or still (multipart field \"file\", optionally an .srt/.vtt in \"subtitles\"); returns its probe, frame plan, frame URLs, preview URL and subtitle streams.")
            .Accepts<IFormFile>("multipart/form-data")
            .DisableAntiforgery()
            .RequireRateLimiting(ClientRateLimits.UploadsPolicy);
        group.MapGet("/{id}", GetClip)
            .WithName(nameof(GetClip))
            .WithSummary("An uploaded clip's probe, frame plan, frame URLs and preview URL.");
        group.MapPost("/{id}/plan", ReplanClip)
            .WithName(nameof(ReplanClip))
            .WithSummary("Re-plan one of your clips' frames for other frame options (fps, min/max frames, pixels) and return the new frames; 403 for another visitor's.")
            .DisableAntiforgery();
        group.MapGet("/{id}/frames/{n:int}", GetClipFrame)
            .WithName(nameof(GetClipFrame))
            .WithSummary("Sampled frame n (0-based, in plan order) as a JPEG.");
        group.MapGet("/{id}/preview", GetClipPreview)
            .WithName(nameof(GetClipPreview))
            .WithSummary("The clip as a browser can play it (the original, or an MP4/JPEG made from it in the background; 409 preview_pending until then).");
        group.MapDelete("/{id}", DeleteClip)
            .WithName(nameof(DeleteClip))
            .WithSummary("Delete one of your clips and its files now instead of when it expires; 403 for another visitor's.")
            .DisableAntiforgery();
        return group;
    }

    public static async Task<Results<Created<ClipInfo>, ProblemHttpResult>> UploadClip(
        HttpContext context, ClipStore clips, ClipSubtitles subtitles, IOptions<UploadOptions> limits, CancellationToken cancellationToken)
    {
        var request = context.Request;
        long maxBody = limits.Value.MaxBytes + MultipartOverheadBytes;
        if (request.ContentLength > maxBody)
        {
            return ApiProblems.ClipRejected(new ClipRejectedException(StatusCodes.Status413PayloadTooLarge,
                $"The upload is {request.ContentLength} bytes; the limit is {limits.Value.MaxBytes} bytes."));
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = maxBody;
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return ApiProblems.BadRequest("Send the file as multipart/form-data in a field named \"file\".");
        }
        var owner = VisitorCookie.OwnerOf(context);
        ClipInfo? clip = null;
        (byte[] Bytes, string Name)? subtitleFile = null;
        // Reading the form is the client's part; an I/O error inside the store (ours) must not be blamed on the body.
        bool storing = false;
        try
        {
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition())
                {
                    continue;
                }
                string? field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                string? fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value
                    ?? HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                if (field == "subtitles" && subtitleFile is null)
                {
                    // Read (and checked) before the clip is kept, so a bad subtitle file refuses the whole upload and leaves nothing behind.
                    using var buffer = new MemoryStream();
                    await ClipSubtitlesApi.CopyLimitedAsync(section.Body, buffer, cancellationToken).ConfigureAwait(false);
                    string name = string.IsNullOrWhiteSpace(fileName) ? "subtitles" : Path.GetFileName(fileName);
                    SubtitleFileReader.Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), name);
                    subtitleFile = (buffer.ToArray(), name);
                }
                else if (field == "file" && clip is null)
                {
                    storing = true;
                    clip = await clips.SaveAsync(section.Body, fileName, owner, null, cancellationToken).ConfigureAwait(false);
                    storing = false;
                }
            }
        }
        catch (ClipRejectedException ex)
        {
            return ApiProblems.ClipRejected(ex);
        }
        catch (UserInputException ex) when (!storing)
        {
            if (clip is not null)
            {
                clips.Delete(clip.Id);
            }
            return ClipSubtitlesApi.SubtitlesRejected(ex.Message);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException && !storing && !cancellationToken.IsCancellationRequested)
        {
            if (clip is not null)
            {
                clips.Delete(clip.Id);
            }
            // Malformed or cut-short multipart, or Kestrel's body limit: all the client's doing.
            return ex is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                ? ApiProblems.ClipRejected(new ClipRejectedException(StatusCodes.Status413PayloadTooLarge,
                    $"The file is larger than the {limits.Value.MaxBytes}-byte upload limit."))
                : ApiProblems.BadRequest(ex is IOException or BadHttpRequestException
                    ? "The upload ended before the whole form arrived (the body was cut short or the connection dropped); please send it again."
                    : "The multipart body could not be read; send the file in a field named \"file\".");
        }
        if (clip is null)
        {
            return ApiProblems.BadRequest("The form has no file in a field named \"file\".");
        }
        if (subtitleFile is { } attached)
        {
            try
            {
                await subtitles.AttachAsync(clip.Id, owner, new MemoryStream(attached.Bytes), attached.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ClipRejectedException or UserInputException)
            {
                // One request, one outcome: a subtitle file that cannot be kept (quota, full disk) refuses the upload whole.
                clips.Delete(clip.Id);
                return ex is ClipRejectedException rejected ? ApiProblems.ClipRejected(rejected) : ClipSubtitlesApi.SubtitlesRejected(ex.Message);
            }
        }
        else if (clips.Find(clip.Id) is { } stored)
        {
            subtitles.StartReading(stored);
        }
        return TypedResults.Created($"{ClipStore.RoutePrefix}/{clip.Id}", clip);
    }

    public static Results<Ok<ClipInfo>, ProblemHttpResult> GetClip(string id, ClipStore clips) =>
        clips.Get(id) is { } clip ? TypedResults.Ok(clip) : ApiProblems.ClipNotFound(id);

    public static async Task<Results<Ok<ClipInfo>, ProblemHttpResult>> ReplanClip(
        string id, FrameOptions options, HttpContext context, ClipStore clips, CancellationToken cancellationToken)
    {
        if (NotYours(id, context, clips, "change its frames") is { } refusal)
        {
            return refusal;
        }
        try
        {
            return TypedResults.Ok(await clips.ReplanAsync(id, options, cancellationToken).ConfigureAwait(false));
        }
        catch (ClipNotFoundException)
        {
            return ApiProblems.ClipNotFound(id);
        }
        catch (ClipRejectedException ex)
        {
            return ApiProblems.ClipRejected(ex);
        }
    }

    public static Results<PhysicalFileHttpResult, ProblemHttpResult> GetClipFrame(string id, int n, ClipStore clips) =>
        clips.FramePath(id, n) is { } path
            ? TypedResults.PhysicalFile(path, "image/jpeg")
            : ApiProblems.Problem(StatusCodes.Status404NotFound, "Frame not found",
                $"Clip \"{id}\" has no frame {n} (or the clip has expired).", "frame_not_found");

    public static Results<PhysicalFileHttpResult, ProblemHttpResult> GetClipPreview(string id, ClipStore clips)
    {
        if (clips.Preview(id) is { } preview)
        {
            return TypedResults.PhysicalFile(preview.Path, preview.ContentType, enableRangeProcessing: true);
        }
        return clips.Get(id) is { PreviewMessage: { } message } clip
            ? ApiProblems.Problem(StatusCodes.Status409Conflict, clip.PreviewStatus == "making" ? "The preview is still being made" : "No preview",
                message, clip.PreviewStatus == "making" ? "preview_pending" : "preview_failed")
            : ApiProblems.ClipNotFound(id);
    }

    public static Results<NoContent, ProblemHttpResult> DeleteClip(string id, HttpContext context, ClipStore clips) =>
        NotYours(id, context, clips, "delete it") is { } refusal ? refusal
        : clips.Delete(id) ? TypedResults.NoContent()
        : ApiProblems.ClipNotFound(id);

    /// <summary>A 403 when the clip exists and another visitor uploaded it (reading it by id stays allowed, changing it does not).</summary>
    private static ProblemHttpResult? NotYours(string id, HttpContext context, ClipStore clips, string what) =>
        clips.Find(id) is { } clip && clip.Owner != VisitorCookie.OwnerOf(context)
            ? ApiProblems.NotYours($"Clip \"{id}\" was uploaded by another visitor; only they can {what}.")
            : null;
}
