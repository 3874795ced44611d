using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Narrator.Model.Conversion.Checkpoint;

/// <summary>Element conversions between the checkpoint's dtypes and fp32 (bf16 to fp32 is exact: the bits shifted left by 16).</summary>
public static class TensorConversion
{
    /// <summary>Widens <paramref name="source"/> (stored as <paramref name="dtype"/>, little-endian) into <paramref name="destination"/>.</summary>
    public static void ToFloat32(ReadOnlySpan<byte> source, SafetensorsDType dtype, Span<float> destination)
    {
        int count = source.Length / dtype.Size;
        if (count != destination.Length)
        {
            throw new ArgumentException($"{source.Length} bytes of {dtype} are {count} values, not {destination.Length}.", nameof(destination));
        }
        if (dtype == SafetensorsDType.F32)
        {
            if (BitConverter.IsLittleEndian)
            {
                source.CopyTo(MemoryMarshal.AsBytes(destination));
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
                }
            }
        }
        else if (dtype == SafetensorsDType.BF16)
        {
            var bits = MemoryMarshal.Cast<byte, ushort>(source);
            var widened = MemoryMarshal.Cast<float, uint>(destination);
            int i = 0;
            if (Vector256.IsHardwareAccelerated && BitConverter.IsLittleEndian)
            {
                // Sixteen bf16 values widen to two vectors of fp32 bit patterns: the bits shifted left by 16.
                for (; i <= count - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
                {
                    var (lower, upper) = Vector256.Widen(Vector256.Create<ushort>(bits[i..]));
                    Vector256.ShiftLeft(lower, 16).CopyTo(widened[i..]);
                    Vector256.ShiftLeft(upper, 16).CopyTo(widened[(i + Vector256<uint>.Count)..]);
                }
            }
            for (; i < count; i++)
            {
                widened[i] = (uint)BinaryPrimitives.ReadUInt16LittleEndian(source[(i * 2)..]) << 16;
            }
        }
        else if (dtype == SafetensorsDType.F16)
        {
            if (BitConverter.IsLittleEndian)
            {
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    destination[i] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(source[(i * 2)..]));
                }
            }
        }
        else
        {
            throw new ArgumentException($"{dtype} cannot be read as floats; the converter reads {SafetensorsDType.Readable}.", nameof(dtype));
        }
    }

    /// <summary>fp32 to IEEE half, round to nearest even (values beyond ±65504 become ±infinity, as a cast does).</summary>
    public static void ToFloat16(ReadOnlySpan<float> source, Span<byte> destination)
    {
        RequireBytes(source.Length, 2, destination.Length);
        if (BitConverter.IsLittleEndian)
        {
            TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination));
            return;
        }
        for (int i = 0; i < source.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * 2)..], BitConverter.HalfToUInt16Bits((Half)source[i]));
        }
    }

    /// <summary>fp32 to bfloat16, round to nearest even (NaN stays NaN), as torch's <c>.to(bfloat16)</c>.</summary>
    public static void ToBFloat16(ReadOnlySpan<float> source, Span<byte> destination)
    {
        RequireBytes(source.Length, 2, destination.Length);
        int i = 0;
        if (Vector256.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            var bits = MemoryMarshal.Cast<float, uint>(source);
            var narrowed = MemoryMarshal.Cast<byte, ushort>(destination);
            var bias = Vector256.Create(0x7FFFu);
            for (; i <= source.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var lower = Vector256.Create<uint>(bits[i..]);
                var upper = Vector256.Create<uint>(bits[(i + Vector256<uint>.Count)..]);
                // Round to nearest even as ToBFloat16Bits does; NaN lanes take the scalar path below.
                var lowerRounded = Vector256.ShiftRightLogical(lower + bias + (Vector256.ShiftRightLogical(lower, 16) & Vector256<uint>.One), 16);
                var upperRounded = Vector256.ShiftRightLogical(upper + bias + (Vector256.ShiftRightLogical(upper, 16) & Vector256<uint>.One), 16);
                Vector256.Narrow(lowerRounded, upperRounded).CopyTo(narrowed[i..]);
                var floats = MemoryMarshal.Cast<uint, float>(bits.Slice(i, Vector256<ushort>.Count));
                if (!Vector256.EqualsAll(Vector256.Create<float>(floats), Vector256.Create<float>(floats))
                    || !Vector256.EqualsAll(Vector256.Create<float>(floats[Vector256<float>.Count..]), Vector256.Create<float>(floats[Vector256<float>.Count..])))
                {
                    for (int j = i; j < i + Vector256<ushort>.Count; j++)
                    {
                        narrowed[j] = ToBFloat16Bits(source[j]);
                    }
                }
            }
        }
        for (; i < source.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * 2)..], ToBFloat16Bits(source[i]));
        }
    }

    public static ushort ToBFloat16Bits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    public static void ToFloat32Bytes(ReadOnlySpan<float> source, Span<byte> destination)
    {
        RequireBytes(source.Length, 4, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], source[i]);
        }
    }

    private static void RequireBytes(int values, int size, int bytes)
    {
        if ((long)values * size != bytes)
        {
            throw new ArgumentException($"{values} values need {(long)values * size} bytes, not {bytes}.");
        }
    }
}
