using Microsoft.AspNetCore.WebUtilities;
using Narrator.Web.Narrations;

namespace Narrator.Web.Api;

/// <summary>
/// Fills in what a ProblemDetails lacks, whoever wrote it (a handler, the exception handler, or the framework's own
/// 404/405/415 answers through the status-code pages): a title, a sentence a person can act on, and a <c>code</c>.
/// </summary>
internal static class ApiProblemDefaults
{
    public const string RequestTooLarge = "request_too_large";

    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        int status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Status = status;
        if (string.IsNullOrEmpty(problem.Title))
        {
            problem.Title = ReasonPhrases.GetReasonPhrase(status);
        }
        if (string.IsNullOrEmpty(problem.Detail))
        {
            problem.Detail = DetailFor(status, context.HttpContext);
        }
        if (!problem.Extensions.ContainsKey("code"))
        {
            problem.Extensions["code"] = CodeFor(status);
        }
    }

    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => FailureCodes.InvalidRequest,
        StatusCodes.Status403Forbidden => ApiProblems.NotOwnerCode,
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status408RequestTimeout => "request_timeout",
        StatusCodes.Status411LengthRequired => "length_required",
        StatusCodes.Status413PayloadTooLarge => RequestTooLarge,
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status429TooManyRequests => FailureCodes.RateLimited,
        StatusCodes.Status500InternalServerError => "server_error",
        StatusCodes.Status507InsufficientStorage => ApiProblems.StorageFullCode,
        _ => $"http_{status}",
    };

    private static string DetailFor(int status, HttpContext context)
    {
        var request = context.Request;
        string route = $"{request.Method} {request.Path}";
        return status switch
        {
            StatusCodes.Status404NotFound => $"Nothing is served at {route}; /openapi/v1.json lists the API's routes.",
            StatusCodes.Status405MethodNotAllowed => context.Response.Headers.Allow is { Count: > 0 } allow
                ? $"{request.Path} does not accept {request.Method}; it accepts {allow}."
                : $"{request.Path} does not accept {request.Method}.",
            StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
            StatusCodes.Status415UnsupportedMediaType => string.IsNullOrEmpty(request.ContentType)
                ? "Send the body as JSON with the header Content-Type: application/json."
                : $"Send the body as JSON with the header Content-Type: application/json (this request said \"{request.ContentType}\").",
            StatusCodes.Status429TooManyRequests => ClientRateLimits.RefusalSentence,
            StatusCodes.Status400BadRequest => "The request is not valid.",
            _ => $"{route} answered {status} ({ReasonPhrases.GetReasonPhrase(status)}).",
        };
    }
}
