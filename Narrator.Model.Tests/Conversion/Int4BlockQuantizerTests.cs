using Narrator.Model.Conversion;

namespace Narrator.Model.Tests.Conversion;

public sealed class Int4BlockQuantizerTests
{
    [Fact]
    public void Packs_two_values_per_byte_low_nibble_first_with_the_signed_extreme_at_minus_8()
    {
        // One block of 32: the extreme is -4 (larger |value| than 3.5), so scale = -4 / -8 = 0.5 and q = round(w / 0.5) + 8.
        var row = new float[32];
        row[0] = -4f;
        row[1] = 3.5f;
        row[2] = 0.24f;
        row[3] = 0.26f;
        var packed = new byte[16];
        var scales = new float[1];

        Int4BlockQuantizer.QuantizeRow(row, 32, packed, scales);

        Assert.Equal(0.5f, scales[0]);
        Assert.Equal(0x00 | (15 << 4), packed[0]);  // -4 → 0 (low nibble), 3.5 → 15 (high nibble)
        Assert.Equal(8 | (9 << 4), packed[1]);       // 0.24 → 8, 0.26 → 9
        Assert.All(packed[2..], b => Assert.Equal(0x88, b));
    }

    [Theory]
    [InlineData(64, 32)]
    [InlineData(100, 32)]
    [InlineData(128, 128)]
    [InlineData(200, 64)]
    public void Round_trips_every_weight_within_half_a_step_or_one_step_where_the_short_side_clamps(int k, int blockSize)
    {
        var random = new Random(k * blockSize);
        var row = Enumerable.Range(0, k).Select(_ => (float)(random.NextDouble() * 2 - 1) * (random.Next(3) + 1)).ToArray();
        var packed = new byte[Int4BlockQuantizer.PackedRowBytes(k, blockSize)];
        var scales = new float[Int4BlockQuantizer.BlockCount(k, blockSize)];

        Int4BlockQuantizer.QuantizeRow(row, blockSize, packed, scales);
        var restored = new float[k];
        Int4BlockQuantizer.DequantizeRow(packed, scales, blockSize, restored);

        Assert.Equal((k + blockSize - 1) / blockSize * blockSize / 2, packed.Length);
        for (int i = 0; i < k; i++)
        {
            // The extreme maps to -8, so the other side reaches only +7 steps: beyond that a value clamps (error up to one step).
            float step = scales[i / blockSize];
            bool clamps = row[i] / step > 7.5f;
            Assert.InRange(Math.Abs(restored[i] - row[i]), 0, Math.Abs(step) * (clamps ? 1f : 0.5f) + 1e-6);
        }
        // The padding past K quantises to the zero point, so it adds nothing to the product.
        if (k % blockSize != 0)
        {
            int lastByte = packed.Length - 1;
            Assert.Equal(0x88, packed[lastByte]);
        }
    }

    [Fact]
    public void An_all_zero_block_gets_a_zero_scale_and_the_zero_point()
    {
        var packed = new byte[16];
        var scales = new float[1];
        Int4BlockQuantizer.QuantizeRow(new float[32], 32, packed, scales);
        Assert.Equal(0f, Math.Abs(scales[0]));
        Assert.All(packed, b => Assert.Equal(0x88, b));
    }
}
