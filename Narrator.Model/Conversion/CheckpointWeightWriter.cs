using System.Runtime.InteropServices;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Onnx.Graphs;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Conversion;

/// <summary>
/// Streams checkpoint tensors into a graph's initializers in the layout and type the graph needs, one tensor at a time:
/// a transposition or quantisation holds at most <see cref="BandBytes"/> of fp32 (plus an int4 weight's scales), and each
/// tensor's mapped pages are released once written. Shapes are checked against config.json first, so a wrong tensor is
/// a sentence naming the file and the tensor.
/// </summary>
internal sealed class CheckpointWeightWriter(HfCheckpoint checkpoint, OnnxGraphBuilder graph, Action<long> onBytes, CancellationToken cancellationToken,
    int bandBytes = CheckpointWeightWriter.BandBytes)
{
    /// <summary>Working memory of one transposition band or quantisation slice (fp32).</summary>
    public const int BandBytes = 32 << 20;

    /// <summary>Source rows gathered per transposition tile.</summary>
    private const int TileRows = 64;

    // Working buffers are kept and reused from tensor to tensor (grown when a tensor needs more), so converting
    // hundreds of weights does not leave hundreds of bands for the garbage collector.
    private float[] _band = [];
    private float[] _slice = [];
    private byte[] _bytes = [];

    /// <summary>A 1-D tensor (norm weight, bias) as <paramref name="type"/>.</summary>
    public string Vector(string name, int length, DataType type)
    {
        var tensor = checkpoint.Tensor(name, length);
        var values = checkpoint.ReadFloat32(name, length);
        var bytes = new byte[(long)length * OnnxElementTypes.Size(type)];
        OnnxElementTypes.Encode(values, type, bytes);
        Done(tensor);
        return graph.Initializer(name, type, bytes, length);
    }

    /// <summary>A tensor exactly as stored (the embedding table, gathered by row), copied in slices.</summary>
    public string AsStored(string name, params long[] shape)
    {
        var tensor = checkpoint.Tensor(name, shape);
        string result = graph.Initializer(name, OnnxElementTypes.Of(tensor.DType), shape, tensor.ByteLength, stream =>
        {
            for (long start = 0; start < tensor.ByteLength; start += bandBytes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = (int)Math.Min(bandBytes, tensor.ByteLength - start);
                stream.Write(checkpoint.Bytes(tensor, start, count));
                checkpoint.Release(tensor, start, count);
                onBytes(count);
            }
        });
        Done(tensor, reported: true);
        return result;
    }

    /// <summary>A Linear's weight ([out, in] in the checkpoint) as MatMul's right operand [in, out] in <paramref name="type"/>.</summary>
    public string Transposed(string name, int outputs, int inputs, DataType type)
    {
        var tensor = checkpoint.Tensor(name, outputs, inputs);
        int size = OnnxElementTypes.Size(type);
        int sourceSize = tensor.DType.Size;
        string result = graph.Initializer(name + ".T", type, [inputs, outputs], (long)inputs * outputs * size, stream =>
        {
            // A band is a run of output rows (= input columns): every source row contributes a short contiguous slice.
            // Rows are taken TileRows at a time into a small tile, then each tile column is copied into its band row as one
            // contiguous run (writing element by element across band rows megabytes apart thrashes the TLB).
            int bandColumns = (int)Math.Clamp(bandBytes / (4L * outputs), 1, inputs);
            var band = Buffer(ref _band, (long)bandColumns * outputs);
            var tile = Buffer(ref _slice, (long)TileRows * bandColumns);
            var encoded = Buffer(ref _bytes, (long)outputs * size);
            for (int first = 0; first < inputs; first += bandColumns)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int columns = Math.Min(bandColumns, inputs - first);
                for (int firstRow = 0; firstRow < outputs; firstRow += TileRows)
                {
                    int rows = Math.Min(TileRows, outputs - firstRow);
                    for (int r = 0; r < rows; r++)
                    {
                        long offset = ((long)(firstRow + r) * inputs + first) * sourceSize;
                        TensorConversion.ToFloat32(checkpoint.Bytes(tensor, offset, columns * sourceSize), tensor.DType, tile.AsSpan(r * columns, columns));
                    }
                    for (int j = 0; j < columns; j++)
                    {
                        var run = band.AsSpan((int)((long)j * outputs + firstRow), rows);
                        for (int r = 0; r < rows; r++)
                        {
                            run[r] = tile[r * columns + j];
                        }
                    }
                }
                for (int j = 0; j < columns; j++)
                {
                    OnnxElementTypes.Encode(band.AsSpan((int)((long)j * outputs), outputs), type, encoded);
                    stream.Write(encoded, 0, outputs * size);
                }
                onBytes((long)columns * outputs * sourceSize);
            }
        });
        Done(tensor, reported: true);
        return result;
    }

    /// <summary>
    /// A Linear's weight as MatMulNBits' packed uint8 B [out, blocks, blockSize/2] and scales [out, blocks] in
    /// <paramref name="scaleType"/> (see <see cref="Int4BlockQuantizer"/>).
    /// </summary>
    public (string Packed, string Scales) Int4(string name, int outputs, int inputs, int blockSize, DataType scaleType)
    {
        var tensor = checkpoint.Tensor(name, outputs, inputs);
        int blocks = Int4BlockQuantizer.BlockCount(inputs, blockSize);
        int rowBytes = Int4BlockQuantizer.PackedRowBytes(inputs, blockSize);
        var scales = new float[(long)outputs * blocks];
        string packed = graph.Initializer(name + ".int4", DataType.Uint8, [outputs, blocks, blockSize / 2], (long)outputs * rowBytes, stream =>
        {
            int rowsPerSlice = (int)Math.Clamp(bandBytes / (4L * inputs), 1, outputs);
            var values = Buffer(ref _band, (long)rowsPerSlice * inputs);
            var packedRows = Buffer(ref _bytes, (long)rowsPerSlice * rowBytes);
            for (int first = 0; first < outputs; first += rowsPerSlice)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int rows = Math.Min(rowsPerSlice, outputs - first);
                checkpoint.ReadRows(tensor, first, values.AsSpan(0, rows * inputs));
                for (int row = 0; row < rows; row++)
                {
                    Int4BlockQuantizer.QuantizeRow(values.AsSpan(row * inputs, inputs), blockSize,
                        packedRows.AsSpan(row * rowBytes, rowBytes), scales.AsSpan((int)((long)(first + row) * blocks), blocks));
                }
                stream.Write(packedRows, 0, rows * rowBytes);
                onBytes((long)rows * inputs * tensor.DType.Size);
            }
        });
        string scaleName;
        if (scaleType == DataType.Float && BitConverter.IsLittleEndian)
        {
            scaleName = graph.Initializer(name + ".int4_scales", scaleType, MemoryMarshal.AsBytes(scales.AsSpan()), outputs, blocks);
        }
        else
        {
            var scaleBytes = new byte[scales.LongLength * OnnxElementTypes.Size(scaleType)];
            OnnxElementTypes.Encode(scales, scaleType, scaleBytes);
            scaleName = graph.Initializer(name + ".int4_scales", scaleType, scaleBytes, outputs, blocks);
        }
        Done(tensor, reported: true);
        return (packed, scaleName);
    }

    /// <summary>The reusable buffer, grown to at least <paramref name="length"/> elements.</summary>
    private static T[] Buffer<T>(ref T[] buffer, long length)
    {
        if (buffer.LongLength < length)
        {
            buffer = new T[length];
        }
        return buffer;
    }

    private void Done(SafetensorsTensor tensor, bool reported = false)
    {
        checkpoint.Release(tensor);
        if (!reported)
        {
            onBytes(tensor.ByteLength);
        }
    }
}
