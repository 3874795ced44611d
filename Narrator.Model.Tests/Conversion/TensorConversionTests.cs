using System.Buffers.Binary;
using Narrator.Model.Conversion.Checkpoint;

namespace Narrator.Model.Tests.Conversion;

/// <summary>The vectorised conversions give, value for value, what the one-value rules give (ties, NaN, infinities, tails).</summary>
public sealed class TensorConversionTests
{
    private static float[] Values(int count)
    {
        var random = new Random(count);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (i % 9) switch
            {
                0 => float.NaN,
                1 => BitConverter.UInt32BitsToSingle(0x3F808000u),   // exactly halfway between two bf16 values (rounds to even)
                2 => BitConverter.UInt32BitsToSingle(0x3F818000u),   // halfway, rounds up to even
                3 => float.PositiveInfinity,
                4 => -70000f,                                        // beyond fp16's range
                5 => 1e-8f,                                          // fp16 subnormal territory
                _ => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-6, 6))),
            };
        }
        return values;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(1000)]
    public void Float32_to_bfloat16_rounds_every_value_as_the_single_value_rule(int count)
    {
        var values = Values(count);
        var bytes = new byte[count * 2];
        TensorConversion.ToBFloat16(values, bytes);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(TensorConversion.ToBFloat16Bits(values[i]), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)));
        }
        Assert.True(float.IsNaN(BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(bytes) << 16)));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(32)]
    [InlineData(1001)]
    public void Float32_to_float16_and_back_matches_the_half_cast(int count)
    {
        var values = Values(count);
        var bytes = new byte[count * 2];
        TensorConversion.ToFloat16(values, bytes);
        var widened = new float[count];
        TensorConversion.ToFloat32(bytes, SafetensorsDType.F16, widened);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(BitConverter.HalfToUInt16Bits((Half)values[i]), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)));
            Assert.Equal((float)(Half)values[i], widened[i]);
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(999)]
    public void Bfloat16_widens_to_float32_exactly(int count)
    {
        var values = Values(count);
        var bytes = new byte[count * 2];
        TensorConversion.ToBFloat16(values, bytes);
        var widened = new float[count];
        TensorConversion.ToFloat32(bytes, SafetensorsDType.BF16, widened);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal((uint)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2 * i)) << 16, BitConverter.SingleToUInt32Bits(widened[i]));
        }
    }
}
