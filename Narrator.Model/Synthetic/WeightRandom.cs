namespace Narrator.Model.Synthetic;

/// <summary>
/// Seeded normal/uniform numbers from SplitMix64, so the tiny package's bytes depend only on the seed
/// (System.Random's sequence is not promised to stay the same across .NET versions).
/// </summary>
internal sealed class WeightRandom(ulong seed)
{
    private ulong _state = seed;

    public double NextUniform() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public float NextNormal()
    {
        // Box-Muller; 1 - u keeps the logarithm finite.
        double u1 = 1.0 - NextUniform();
        double u2 = NextUniform();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    public float[] Normal(int count, float std, float mean = 0f)
    {
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = mean + std * NextNormal();
        }
        return values;
    }

    public float[] Uniform(int count, float low, float high)
    {
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(low + (high - low) * NextUniform());
        }
        return values;
    }

    /// <summary>64 random bits.</summary>
    public ulong NextBits() => NextUInt64();

    private ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
