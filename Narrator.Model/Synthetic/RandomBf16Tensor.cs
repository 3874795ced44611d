using System.Buffers.Binary;
using Narrator.Model.Conversion.Checkpoint;

namespace Narrator.Model.Synthetic;

/// <summary>
/// A bf16 tensor of seeded random values with a given mean and standard deviation, generated as it is written (64K values
/// at a time), for random checkpoints at real shapes. The values are uniform, four from each 64-bit draw: a normal's tails
/// buy a random model nothing and its logarithm per value made a 7B checkpoint take twenty minutes to write. The seed
/// mixes in the tensor's name, so adding or dropping tensors leaves the others' values unchanged.
/// </summary>
internal static class RandomBf16Tensor
{
    public static SafetensorsTensorSource Random(string name, long[] shape, ulong seed, float std, float mean = 0) =>
        new(name, SafetensorsDType.BF16, shape, stream =>
        {
            var random = new WeightRandom(seed ^ (ulong)StableHash(name));
            // Uniform on [-a, a] has standard deviation a / sqrt(3); 16 bits of the draw pick one of 65,536 evenly spaced values.
            float step = 2 * MathF.Sqrt(3) * std / 65536, low = mean - MathF.Sqrt(3) * std + step / 2;
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var buffer = new byte[2 * 65536];
            for (long done = 0; done < count;)
            {
                int chunk = (int)Math.Min(65536, count - done);
                for (int i = 0; i < chunk; i += 4)
                {
                    ulong bits = random.NextBits();
                    for (int j = 0; j < 4 && i + j < chunk; j++, bits >>= 16)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(2 * (i + j)), TensorConversion.ToBFloat16Bits(low + step * (ushort)bits));
                    }
                }
                stream.Write(buffer, 0, 2 * chunk);
                done += chunk;
            }
        });

    /// <summary>FNV-1a, stable across processes (string.GetHashCode is randomised per process).</summary>
    private static long StableHash(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return (long)hash;
    }
}
