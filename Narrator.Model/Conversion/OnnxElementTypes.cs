using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Narrator.Model.Conversion.Checkpoint;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Conversion;

/// <summary>The floating ONNX element types the converter writes: their sizes, names and encoding from fp32.</summary>
internal static class OnnxElementTypes
{
    public static int Size(DataType type) => type switch
    {
        DataType.Float => 4,
        DataType.Float16 or DataType.Bfloat16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a floating type the converter writes"),
    };

    /// <summary>The ONNX type that stores a checkpoint dtype unchanged.</summary>
    public static DataType Of(SafetensorsDType dtype) =>
        dtype == SafetensorsDType.BF16 ? DataType.Bfloat16
        : dtype == SafetensorsDType.F16 ? DataType.Float16
        : dtype == SafetensorsDType.F32 ? DataType.Float
        : throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a floating dtype");

    /// <summary>Activation (and KV cache) element type of a text precision.</summary>
    public static DataType Activations(TextPrecision precision, Int4Options int4) => precision switch
    {
        TextPrecision.Fp32 => DataType.Float,
        TextPrecision.Fp16 => DataType.Float16,
        TextPrecision.Bf16 => DataType.Bfloat16,
        TextPrecision.Int4 => int4.Activations == Int4Activations.Fp16 ? DataType.Float16 : DataType.Float,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, null),
    };

    /// <summary>Writes <paramref name="source"/> as <paramref name="type"/> (little-endian; fp16/bf16 round to nearest even).</summary>
    public static void Encode(ReadOnlySpan<float> source, DataType type, Span<byte> destination)
    {
        switch (type)
        {
            case DataType.Float:
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.AsBytes(source).CopyTo(destination);
                }
                else
                {
                    TensorConversion.ToFloat32Bytes(source, destination);
                }
                break;
            case DataType.Float16:
                TensorConversion.ToFloat16(source, destination[..(source.Length * 2)]);
                break;
            case DataType.Bfloat16:
                TensorConversion.ToBFloat16(source, destination[..(source.Length * 2)]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "not a floating type the converter writes");
        }
    }

    /// <summary>One value encoded as <paramref name="type"/>, for small constants.</summary>
    public static byte[] Encode(float value, DataType type)
    {
        var bytes = new byte[Size(type)];
        Encode([value], type, bytes);
        return bytes;
    }

    public static float Decode(ReadOnlySpan<byte> source, DataType type) => type switch
    {
        DataType.Float => BinaryPrimitives.ReadSingleLittleEndian(source),
        DataType.Float16 => (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(source)),
        DataType.Bfloat16 => BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(source) << 16),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static string Name(DataType type) => type switch
    {
        DataType.Float => "fp32",
        DataType.Float16 => "fp16",
        DataType.Bfloat16 => "bf16",
        _ => type.ToString(),
    };
}
