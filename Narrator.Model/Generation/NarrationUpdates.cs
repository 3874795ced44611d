using Microsoft.Extensions.AI;

namespace Narrator.Model.Generation;

/// <summary>
/// How Narrator's extra facts travel in <see cref="ChatResponseUpdate"/>s and <see cref="ChatOptions"/>:
/// stage changes and final stats ride in AdditionalProperties under these keys.
/// </summary>
public static class NarrationUpdates
{
    public const string StageKey = "narrator.stage";
    public const string StatsKey = "narrator.stats";
    public const string RepetitionPenaltyKey = "repetition_penalty";

    public static ChatResponseUpdate Stage(NarrationStage stage) => new()
    {
        Role = ChatRole.Assistant,
        AdditionalProperties = new() { [StageKey] = stage },
    };

    public static ChatResponseUpdate Completed(GenerationStats stats, ChatFinishReason? reason) => new()
    {
        Role = ChatRole.Assistant,
        FinishReason = reason,
        Contents = [new UsageContent(new UsageDetails
        {
            InputTokenCount = stats.PromptTokens,
            OutputTokenCount = stats.GeneratedTokens,
            TotalTokenCount = stats.PromptTokens + stats.GeneratedTokens,
        })],
        AdditionalProperties = new() { [StatsKey] = stats },
    };

    public static NarrationStage? GetStage(this ChatResponseUpdate update) =>
        update.AdditionalProperties?.TryGetValue(StageKey, out var value) == true && value is NarrationStage stage ? stage : null;

    public static GenerationStats? GetStats(this ChatResponseUpdate update) =>
        update.AdditionalProperties?.TryGetValue(StatsKey, out var value) == true ? value as GenerationStats : null;

    public static ChatOptions ToChatOptions(this GenerationOptions options) => new()
    {
        MaxOutputTokens = options.MaxNewTokens,
        Temperature = options.Temperature,
        TopP = options.TopP,
        TopK = options.TopK,
        Seed = options.Seed,
        AdditionalProperties = new() { [RepetitionPenaltyKey] = options.RepetitionPenalty },
    };

    public static GenerationOptions ToGenerationOptions(this ChatOptions? options)
    {
        var defaults = new GenerationOptions();
        if (options is null)
        {
            return defaults;
        }
        float repetitionPenalty = options.AdditionalProperties?.TryGetValue(RepetitionPenaltyKey, out var rp) == true
            ? Convert.ToSingle(rp, System.Globalization.CultureInfo.InvariantCulture)
            : defaults.RepetitionPenalty;
        return new GenerationOptions
        {
            MaxNewTokens = options.MaxOutputTokens ?? defaults.MaxNewTokens,
            Temperature = options.Temperature ?? defaults.Temperature,
            TopP = options.TopP ?? defaults.TopP,
            TopK = options.TopK ?? defaults.TopK,
            Seed = options.Seed is long seed ? (int)seed : defaults.Seed,
            RepetitionPenalty = repetitionPenalty,
        };
    }
}
