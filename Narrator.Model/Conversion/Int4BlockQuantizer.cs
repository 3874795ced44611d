namespace Narrator.Model.Conversion;

/// <summary>
/// Symmetric 4-bit round-to-nearest quantisation in ONNX Runtime's MatMulNBits layout (docs/ContribOperators.md): each
/// row of an [N, K] weight (Hugging Face's [out, in] orientation, kept) is cut into blocks of <c>blockSize</c> along K;
/// a block's scale is its signed extreme divided by -8 (MLAS's symmetric rule), so q = clamp(round(w / scale) + 8, 0, 15)
/// and ONNX Runtime's default zero point 8 gives back w ≈ (q - 8) · scale. Two values per byte, the first in the low
/// nibble; a K that is not a whole number of blocks is padded with zero weights.
/// </summary>
internal static class Int4BlockQuantizer
{
    public const int Bits = 4;
    private const int ZeroPoint = 8;

    public static int BlockCount(int k, int blockSize) => (k + blockSize - 1) / blockSize;

    /// <summary>Bytes of one row of packed weights: blocks × blockSize / 2.</summary>
    public static int PackedRowBytes(int k, int blockSize) => BlockCount(k, blockSize) * blockSize / 2;

    /// <summary>Quantises one row of K weights into <paramref name="packed"/> (<see cref="PackedRowBytes"/>) and one scale per block.</summary>
    public static void QuantizeRow(ReadOnlySpan<float> row, int blockSize, Span<byte> packed, Span<float> scales)
    {
        int blocks = BlockCount(row.Length, blockSize);
        packed[..PackedRowBytes(row.Length, blockSize)].Clear();
        for (int block = 0; block < blocks; block++)
        {
            int start = block * blockSize;
            var values = row.Slice(start, Math.Min(blockSize, row.Length - start));
            float extreme = 0f;
            foreach (float value in values)
            {
                if (MathF.Abs(value) > MathF.Abs(extreme))
                {
                    extreme = value;
                }
            }
            float scale = extreme / -ZeroPoint;
            scales[block] = scale;
            float reciprocal = scale == 0f ? 0f : 1f / scale;
            var blockBytes = packed.Slice(block * blockSize / 2, blockSize / 2);
            for (int i = 0; i < blockSize; i++)
            {
                int q = ZeroPoint;
                if (i < values.Length)
                {
                    q = (int)Math.Clamp(MathF.Round(values[i] * reciprocal, MidpointRounding.AwayFromZero) + ZeroPoint, 0, 15);
                }
                blockBytes[i >> 1] |= (byte)((i & 1) == 0 ? q : q << 4);
            }
        }
    }

    /// <summary>The weights a packed row stands for (tests and tolerance estimates).</summary>
    public static void DequantizeRow(ReadOnlySpan<byte> packed, ReadOnlySpan<float> scales, int blockSize, Span<float> row)
    {
        for (int i = 0; i < row.Length; i++)
        {
            int block = i / blockSize;
            int within = i % blockSize;
            byte pair = packed[block * blockSize / 2 + within / 2];
            int q = (within & 1) == 0 ? pair & 0x0F : pair >> 4;
            row[i] = (q - ZeroPoint) * scales[block];
        }
    }
}
