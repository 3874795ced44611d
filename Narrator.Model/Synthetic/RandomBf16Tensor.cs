using System.Buffers.Binary;
using Narrator.Model.Conversion.Checkpoint;

namespace Narrator.Model.Synthetic;

/// <summary>
/// A bf16 tensor of seeded normal values, generated as it is written (64K values at a time), for random checkpoints at
/// real shapes. Its seed mixes in its name, so adding or dropping tensors leaves the others' values unchanged.
/// </summary>
internal static class RandomBf16Tensor
{
    public static SafetensorsTensorSource Normal(string name, long[] shape, ulong seed, float std, float mean = 0) =>
        new(name, SafetensorsDType.BF16, shape, stream =>
        {
            var random = new WeightRandom(seed ^ (ulong)StableHash(name));
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var buffer = new byte[2 * 65536];
            for (long done = 0; done < count;)
            {
                int chunk = (int)Math.Min(65536, count - done);
                for (int i = 0; i < chunk; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(2 * i), TensorConversion.ToBFloat16Bits(mean + std * random.NextNormal()));
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
