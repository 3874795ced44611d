using Narrator.Model.Vision;

namespace Narrator.Model.Generation;

/// <summary>
/// What the generator prefills: the prompt ids, their 3-D M-RoPE positions ([3, S], axis-major), the rope delta
/// for decode steps, and the vision tensor when the prompt holds a visual block.
/// </summary>
public sealed record GeneratorPrompt
{
    public required int[] Ids { get; init; }

    /// <summary>t, h and w position of every prompt token: <c>PositionIds[axis * Ids.Length + i]</c>.</summary>
    public required long[] PositionIds { get; init; }

    /// <summary>Decode step k is at position past_length + RopeDelta on all three axes.</summary>
    public long RopeDelta { get; init; }

    /// <summary><c>[Grid.PatchCount, 1176]</c> row-major, or null for a text-only prompt.</summary>
    public float[]? PixelValues { get; init; }

    public GridThw? Grid { get; init; }
}
