namespace Narrator.Bench;

/// <summary>Decode attention's shape for one layer.</summary>
internal sealed record AttentionShape(int Heads, int KvHeads, int HeadSize)
{
    /// <summary>Qwen2.5-VL-7B: 28 query heads, 4 KV heads of 128.</summary>
    public static AttentionShape Qwen7B { get; } = new(28, 4, 128);
}
