namespace Narrator.Model.Generation;

public enum GenerationUpdateKind
{
    Stage,
    Token,
    Completed,
}

/// <summary>One event of a running generation: a stage change, a generated token id, or the final stats.</summary>
public readonly record struct GenerationUpdate(GenerationUpdateKind Kind, NarrationStage Stage, int TokenId, GenerationStats? Stats)
{
    public static GenerationUpdate Staged(NarrationStage stage) => new(GenerationUpdateKind.Stage, stage, -1, null);

    public static GenerationUpdate Token(int tokenId) => new(GenerationUpdateKind.Token, NarrationStage.Generating, tokenId, null);

    public static GenerationUpdate Completed(GenerationStats stats) => new(GenerationUpdateKind.Completed, NarrationStage.Generating, -1, stats);
}
