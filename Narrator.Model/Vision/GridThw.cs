namespace Narrator.Model.Vision;

/// <summary>Patch grid of one visual input: temporal groups, patch rows, patch columns (before the 2x2 merge).</summary>
public readonly record struct GridThw(int T, int H, int W)
{
    public const int PatchSize = 14;
    public const int TemporalPatchSize = 2;
    public const int MergeSize = 2;

    /// <summary>Rows of pixel_values: one per 14x14x2 patch.</summary>
    public int PatchCount => T * H * W;

    /// <summary>Tokens the language model sees after the 2x2 merge.</summary>
    public int VisualTokens => T * H * W / (MergeSize * MergeSize);

    public int[] ToArray() => [T, H, W];

    public override string ToString() => $"{T}x{H}x{W}";
}
