using Narrator.Model.Conversion;

namespace Narrator.Bench;

/// <summary>One int4 weight of the kernels benchmark: [N, K] in MatMulNBits' layout, random nibbles and scales.</summary>
internal sealed record Int4Weight(int N, int K, int BlockSize, byte[] Packed, float[] Scales)
{
    public long Bytes => Packed.LongLength + 4L * Scales.LongLength;

    public static Int4Weight Random(int n, int k, int blockSize, Random random)
    {
        var packed = new byte[(long)n * Int4BlockQuantizer.PackedRowBytes(k, blockSize)];
        random.NextBytes(packed);
        var scales = new float[(long)n * Int4BlockQuantizer.BlockCount(k, blockSize)];
        for (long i = 0; i < scales.LongLength; i++)
        {
            scales[i] = (float)(random.NextDouble() * 0.02 + 0.005);
        }
        return new Int4Weight(n, k, blockSize, packed, scales);
    }

    /// <summary>Row n of x·Wᵀ computed from the dequantised row (the check on ORT's output), with Σ|x·w| for its tolerance.</summary>
    public (double Value, double Magnitude) ReferenceRow(ReadOnlySpan<float> x, int n)
    {
        int rowBytes = Int4BlockQuantizer.PackedRowBytes(K, BlockSize), blocks = Int4BlockQuantizer.BlockCount(K, BlockSize);
        var row = new float[K];
        Int4BlockQuantizer.DequantizeRow(Packed.AsSpan(n * rowBytes, rowBytes), Scales.AsSpan(n * blocks, blocks), BlockSize, row);
        double sum = 0, magnitude = 0;
        for (int i = 0; i < K; i++)
        {
            sum += (double)x[i] * row[i];
            magnitude += Math.Abs((double)x[i] * row[i]);
        }
        return (sum, magnitude);
    }
}
