using Narrator.Model;

namespace Narrator.Web.Services.Queue;

/// <summary>A request refused at once (invalid, queue full, owner limit, shutting down); <see cref="Code"/> is one of FailureCodes.</summary>
public sealed class NarrationRejectedException(string code, string message) : UserInputException(message)
{
    public string Code { get; } = code;
}
