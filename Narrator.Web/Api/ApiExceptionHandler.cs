using Microsoft.AspNetCore.Diagnostics;
using Narrator.Model;

namespace Narrator.Web.Api;

/// <summary>Turns anything an API handler throws into a ProblemDetails: the person's mistake as 4xx with its sentence, our bug as a 500 that says so.</summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                (bad.StatusCode, "The request is too large", "The request body is larger than this endpoint accepts."),
            BadHttpRequestException bad when bad.InnerException is System.Text.Json.JsonException json =>
                (bad.StatusCode, "The request is not valid", $"The JSON body could not be read: {json.Message}"),
            BadHttpRequestException bad =>
                (bad.StatusCode, "The request is not valid", bad.Message),
            UserInputException user => (StatusCodes.Status400BadRequest, "The request is not valid", user.Message),
            _ => (StatusCodes.Status500InternalServerError, "Server error", "Something went wrong on the server; the error has been logged."),
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
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }
}
