using System.Globalization;
using Narrator.Model.Onnx.Proto;

namespace Narrator.Model.Onnx.Graphs;

/// <summary>
/// The <c>.onnx.data</c> file beside a model (onnx/docs/ExternalData.md): initializer bytes are appended as the graph
/// is built, each at a 4096-byte aligned offset (so ONNX Runtime can memory-map them), and the tensor records
/// location/offset/length instead of raw_data. Protobuf caps a model at 2 GB; a 7B decoder needs this.
/// </summary>
internal sealed class ExternalDataFile : IDisposable
{
    /// <summary>Smaller tensors (scalars, shapes, norms of tiny models) stay inside the model, as exporters do.</summary>
    public const int MinimumBytes = 1024;

    private const int Alignment = 4096;

    private readonly FileStream _stream;

    /// <summary>Creates (overwrites) <paramref name="path"/>; tensors name it relative to the model's folder.</summary>
    public ExternalDataFile(string path)
    {
        Path = path;
        Location = System.IO.Path.GetFileName(path);
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
    }

    public string Path { get; }

    /// <summary>The file name the tensors record (it must sit in the model's folder).</summary>
    public string Location { get; }

    /// <summary>Bytes written so far, padding included.</summary>
    public long Length => _stream.Length;

    /// <summary>Appends <paramref name="bytes"/> and points <paramref name="tensor"/> at them.</summary>
    public void Write(TensorProto tensor, ReadOnlySpan<byte> bytes)
    {
        long offset = Align();
        _stream.Write(bytes);
        Point(tensor, offset, bytes.Length);
    }

    /// <summary>Appends a tensor written in pieces by <paramref name="write"/>, which must write exactly <paramref name="length"/> bytes.</summary>
    public void Write(TensorProto tensor, long length, Action<Stream> write)
    {
        long offset = Align();
        write(_stream);
        long written = _stream.Position - offset;
        if (written != length)
        {
            throw new InvalidOperationException($"Tensor '{tensor.Name}' was to take {length} bytes but {written} were written.");
        }
        Point(tensor, offset, length);
    }

    public void Dispose() => _stream.Dispose();

    private long Align()
    {
        long padding = (Alignment - _stream.Position % Alignment) % Alignment;
        if (padding > 0)
        {
            Span<byte> zeros = stackalloc byte[(int)padding];
            zeros.Clear();
            _stream.Write(zeros);
        }
        return _stream.Position;
    }

    private void Point(TensorProto tensor, long offset, long length)
    {
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = Location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(CultureInfo.InvariantCulture) });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(CultureInfo.InvariantCulture) });
    }
}
