using System.Globalization;
using Microsoft.Extensions.AI;

namespace Narrator.Model.Generation;

/// <summary>
/// The one crossing between a request's <see cref="GenerationOptions"/> and Microsoft.Extensions.AI's
/// <see cref="ChatOptions"/>, both ways. The record itself rides along, so the in-process engine gets back exactly what
/// was sent (every field, including ones ChatOptions has no property for); the standard properties are set too, for any
/// other <see cref="IChatClient"/>, and a middleware that changes one of them is honoured on the way back.
/// </summary>
public static class GenerationChatOptions
{
    /// <summary>The AdditionalProperties key holding the whole <see cref="GenerationOptions"/> record.</summary>
    public const string GenerationKey = "narrator.generation";

    /// <summary>The repetition penalty by the name OpenAI-compatible servers (vLLM, SGLang) read, for clients that know no record.</summary>
    public const string RepetitionPenaltyKey = "repetition_penalty";

    public static ChatOptions ToChatOptions(this GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new()
        {
            MaxOutputTokens = options.MaxNewTokens,
            Temperature = options.Temperature,
            TopP = options.TopP,
            TopK = options.TopK,
            Seed = options.Seed,
            AdditionalProperties = new() { [GenerationKey] = options, [RepetitionPenaltyKey] = options.RepetitionPenalty },
        };
    }

    /// <summary>The options a call asks for: the carried record (or Narrator's defaults) with any standard property that differs applied.</summary>
    public static GenerationOptions ToGenerationOptions(this ChatOptions? options)
    {
        if (options is null)
        {
            return new GenerationOptions();
        }
        var carried = options.AdditionalProperties?.TryGetValue(GenerationKey, out var value) == true && value is GenerationOptions record
            ? record
            : new GenerationOptions();
        float repetitionPenalty = options.AdditionalProperties?.TryGetValue(RepetitionPenaltyKey, out var rp) == true && rp is not null
            ? Convert.ToSingle(rp, CultureInfo.InvariantCulture)
            : carried.RepetitionPenalty;
        return carried with
        {
            MaxNewTokens = options.MaxOutputTokens ?? carried.MaxNewTokens,
            Temperature = options.Temperature ?? carried.Temperature,
            TopP = options.TopP ?? carried.TopP,
            TopK = options.TopK ?? carried.TopK,
            Seed = options.Seed is long seed ? (int)seed : carried.Seed,
            RepetitionPenalty = repetitionPenalty,
        };
    }
}
