using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Narrator.Model;
using Narrator.Model.Engines;

namespace Narrator.Web.Services.Engine;

/// <summary>
/// The scale-out engine ("openai"): narrations go to an OpenAI-compatible server (vLLM, SGLang, ...) configured under
/// <c>Narrator:OpenAI</c>. Its settings are checked here rather than at start, so they only matter when this engine is chosen.
/// </summary>
public sealed class OpenAiEngineFactory(IOptions<OpenAiCompatibleOptions> options, ILoggerFactory loggers) : INarrationEngineFactory
{
    public const string EngineName = "openai";

    public string Name => EngineName;

    public Task<IChatClient> CreateAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(settings, new ValidationContext(settings), problems, validateAllProperties: true))
        {
            throw new UserInputException(string.Join(" ", problems.Select(p => p.ErrorMessage)));
        }
        IChatClient client = new OpenAiCompatibleChatClient(settings, loggers.CreateLogger<OpenAiCompatibleChatClient>());
        return Task.FromResult(client);
    }
}
