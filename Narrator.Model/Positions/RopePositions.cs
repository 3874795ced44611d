namespace Narrator.Model.Positions;

/// <summary>
/// 3-D M-RoPE position ids of a prompt, laid out <c>[3, Length]</c> row-major (time axis, then height, then width),
/// which is the decoder's <c>position_ids [3, 1, S]</c> for a batch of one, and the rope delta for the decode steps.
/// </summary>
public sealed class RopePositions(long[] values, int length, long ropeDelta)
{
    /// <summary><c>[3, Length]</c> row-major.</summary>
    public long[] Values { get; } = values;

    public int Length { get; } = length;

    /// <summary>Largest position + 1 - prompt length; decode step k sits at <c>Length + k + RopeDelta</c> on every axis.</summary>
    public long RopeDelta { get; } = ropeDelta;

    /// <summary>One axis: 0 = time, 1 = height, 2 = width.</summary>
    public ReadOnlySpan<long> Axis(int axis)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)axis, 2u, nameof(axis));
        return Values.AsSpan(axis * Length, Length);
    }
}
