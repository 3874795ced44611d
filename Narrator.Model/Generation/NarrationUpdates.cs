using Microsoft.Extensions.AI;

namespace Narrator.Model.Generation;

/// <summary>
/// How Narrator's extra facts travel in <see cref="ChatResponseUpdate"/>s: stage changes and final stats ride in
/// AdditionalProperties under these keys (the request's options cross in <see cref="GenerationChatOptions"/>).
/// </summary>
public static class NarrationUpdates
{
    public const string StageKey = "narrator.stage";
    public const string StatsKey = "narrator.stats";

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
}
