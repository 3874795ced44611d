namespace Narrator.Model.Conversion.Demo;

/// <summary>
/// Seeded random weights from SplitMix64, so a random checkpoint's bytes depend only on the seed (System.Random's
/// sequence is not promised to stay the same across .NET versions).
/// </summary>
internal sealed class WeightRandom(ulong seed)
{
    private static readonly float SqrtThree = MathF.Sqrt(3f);

    private ulong _state = seed;

    public double NextUniform() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// Zero mean, unit variance (uniform on ±√3): random weights only need the right scale, and a million draws of this
    /// cost a few milliseconds where Box-Muller's logarithms and cosines cost a large share of the demo's first start.
    /// </summary>
    public float NextUnit() => (float)(2 * NextUniform() - 1) * SqrtThree;

    private ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
