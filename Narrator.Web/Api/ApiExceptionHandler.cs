using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Narrator.Model;
using Narrator.Web.Narrations;
using Narrator.Web.Services;

namespace Narrator.Web.Api;

/// <summary>
/// Turns anything an API handler throws into a ProblemDetails with a code: the person's mistake as 4xx with its
/// sentence, a full disk as 507 with one, our bug as a 500 that says so.
/// </summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, code) = exception switch
        {
            BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                (bad.StatusCode, "The request is too large", "The request body is larger than this endpoint accepts.", ApiProblemDefaults.RequestTooLarge),
            BadHttpRequestException bad =>
                (bad.StatusCode, "The request is not valid", BindingErrors.Describe(bad, BodyType(context)), ApiProblemDefaults.CodeFor(bad.StatusCode)),
            StorageFullException full => (StatusCodes.Status507InsufficientStorage, "The server's disk is full", full.Message, ApiProblems.StorageFullCode),
            NotYoursException notYours => (StatusCodes.Status403Forbidden, "Not yours", notYours.Message, ApiProblems.NotOwnerCode),
            UserInputException user => (StatusCodes.Status400BadRequest, "The request is not valid", user.Message, FailureCodes.InvalidRequest),
            _ => (StatusCodes.Status500InternalServerError, "Server error", "Something went wrong on the server; the error has been logged.", "server_error"),
        };
        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        }
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail, Extensions = { ["code"] = code } },
        }).ConfigureAwait(false);
    }

    /// <summary>The JSON body type the endpoint reads, so a binding error can say what a field must be (the handler runs with the endpoint cleared, so it comes from the feature).</summary>
    private static Type? BodyType(HttpContext context) =>
        (context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint())?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
}
