namespace Narrator.Web.Api;

/// <summary>Declares the ProblemDetails answers a route can send, so /openapi/v1.json lists its errors beside its successes.</summary>
internal static class ProblemResponses
{
    /// <summary>One <c>ProducesProblem</c> per status code (application/problem+json, the ProblemDetails schema).</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params int[] statusCodes) where TBuilder : IEndpointConventionBuilder
    {
        foreach (int statusCode in statusCodes)
        {
            builder.ProducesProblem(statusCode);
        }
        return builder;
    }
}
