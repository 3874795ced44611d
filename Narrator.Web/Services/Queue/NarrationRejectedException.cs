using Narrator.Model;

namespace Narrator.Web.Services.Queue;

/// <summary>A request refused at once (invalid, queue full, owner limit, shutting down); <see cref="Code"/> is one of FailureCodes.</summary>
public sealed class NarrationRejectedException(string code, string message, IReadOnlyDictionary<string, object?>? details = null)
    : UserInputException(message)
{
    public string Code { get; } = code;

    /// <summary>Figures behind the refusal (e.g. promptTokens, maxNewTokens, contextTokens), added to the ProblemDetails.</summary>
    public IReadOnlyDictionary<string, object?> Details { get; } = details ?? new Dictionary<string, object?>();
}
