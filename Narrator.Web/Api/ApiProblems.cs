using Microsoft.AspNetCore.Http.HttpResults;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Api;

/// <summary>The ProblemDetails every API error is answered with: a title, a sentence a person understands, and a code.</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult Rejected(NarrationRejectedException rejection) => Problem(
        rejection.Code switch
        {
            FailureCodes.OwnerLimit or FailureCodes.AddressLimit or FailureCodes.RateLimited => StatusCodes.Status429TooManyRequests,
            FailureCodes.QueueFull or FailureCodes.ShuttingDown => StatusCodes.Status503ServiceUnavailable,
            FailureCodes.NotFound => StatusCodes.Status404NotFound,
            FailureCodes.NotOwner => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status400BadRequest,
        },
        rejection.Code switch
        {
            FailureCodes.OwnerLimit => "Too many narrations of yours",
            FailureCodes.AddressLimit => "Too many narrations from your address",
            FailureCodes.InvalidPrompt => "The prompt is not valid",
            FailureCodes.QueueFull => "The queue is full",
            FailureCodes.ShuttingDown => "The server is shutting down",
            FailureCodes.NotFound => "Narration not found",
            FailureCodes.NotOwner => "Not yours",
            _ => "The request is not valid",
        },
        rejection.Message,
        rejection.Code);

    public static ProblemHttpResult ClipRejected(ClipRejectedException rejection) => Problem(
        rejection.StatusCode,
        rejection.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => "The file is too large",
            StatusCodes.Status415UnsupportedMediaType => "Not a usable video or image",
            StatusCodes.Status422UnprocessableEntity => "The clip is outside the limits",
            StatusCodes.Status429TooManyRequests => "Your storage quota is full",
            StatusCodes.Status503ServiceUnavailable => "Uploads are unavailable",
            StatusCodes.Status507InsufficientStorage => "The server's storage is full",
            _ => "The upload is not valid",
        },
        rejection.Message,
        rejection.StatusCode switch
        {
            StatusCodes.Status429TooManyRequests => "owner_quota",
            StatusCodes.Status503ServiceUnavailable => "ffmpeg_missing",
            StatusCodes.Status507InsufficientStorage => "storage_full",
            _ => "clip_rejected",
        });

    public static ProblemHttpResult BadRequest(string detail) =>
        Problem(StatusCodes.Status400BadRequest, "The request is not valid", detail, FailureCodes.InvalidRequest);

    public static ProblemHttpResult ClipNotFound(string clipId) => Problem(StatusCodes.Status404NotFound, "Clip not found",
        $"No clip with id \"{clipId}\" exists (clips are deleted after they expire).", "clip_not_found");

    public static ProblemHttpResult NarrationNotFound(string narrationId) => Problem(StatusCodes.Status404NotFound, "Narration not found",
        $"No narration with id \"{narrationId}\" is known.", "narration_not_found");

    /// <summary>403: the thing exists but belongs to another visitor (reading it by id stays allowed; changing it does not).</summary>
    public static ProblemHttpResult NotYours(string detail) => Problem(StatusCodes.Status403Forbidden, "Not yours", detail, NotOwnerCode);

    public const string NotOwnerCode = FailureCodes.NotOwner;

    public const string StorageFullCode = "storage_full";

    public static ProblemHttpResult Problem(int status, string title, string detail, string code) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title,
            extensions: new Dictionary<string, object?> { ["code"] = code });
}
