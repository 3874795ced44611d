using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Narrator.Model.Conversion.Checkpoint;

/// <summary>
/// One <c>.safetensors</c> file, opened: the header is parsed and checked against the file's length, and tensor bytes
/// are read through a read-only memory map, so a tensor costs no managed memory until it is converted.
/// Layout (huggingface/safetensors README): u64 LE header length N, N bytes of JSON
/// <c>{name: {dtype, shape, data_offsets: [begin, end]}}</c> plus an optional <c>__metadata__</c>, then the data;
/// offsets are relative to the first byte after the header.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    /// <summary>Headers are small JSON (a 7B shard's is ~100 KB); anything near this is a damaged or hostile file.</summary>
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly long _dataStart;
    private bool _disposed;

    private SafetensorsFile(string path, IReadOnlyDictionary<string, SafetensorsTensor> tensors,
        IReadOnlyDictionary<string, string> metadata, MemoryMappedFile? map, MemoryMappedViewAccessor? view, long dataStart)
    {
        Path = path;
        Tensors = tensors;
        Metadata = metadata;
        _map = map;
        _view = view;
        _dataStart = dataStart;
        if (view is not null)
        {
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _base = pointer + view.PointerOffset;
        }
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, SafetensorsTensor> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> (e.g. <c>{"format": "pt"}</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and checks a file; every problem is a <see cref="CheckpointException"/> naming the file (and tensor).</summary>
    public static SafetensorsFile Open(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        long fileLength;
        byte[] header;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            fileLength = stream.Length;
            if (fileLength < 8)
            {
                throw new CheckpointException($"{path} is not a safetensors file: it is {fileLength} bytes long, shorter than the 8-byte header length.");
            }
            Span<byte> lengthBytes = stackalloc byte[8];
            stream.ReadExactly(lengthBytes);
            ulong headerLength = BitConverter.ToUInt64(lengthBytes);
            if (headerLength == 0 || headerLength > (ulong)Math.Min(MaxHeaderBytes, fileLength - 8))
            {
                throw new CheckpointException(
                    $"{path} is not a safetensors file or is truncated: its header claims {headerLength} bytes but the file holds {fileLength - 8} after the length.");
            }
            header = new byte[headerLength];
            stream.ReadExactly(header);
        }
        catch (IOException ex) when (ex is not EndOfStreamException)
        {
            throw new CheckpointException($"{path} could not be read: {ex.Message}", ex);
        }

        long dataStart = 8 + header.LongLength;
        long dataLength = fileLength - dataStart;
        var (tensors, metadata) = ParseHeader(header, path, name, dataLength);

        if (dataLength == 0)
        {
            // Nothing to map (a file of zero-element tensors); memory-mapping an empty range is not allowed.
            return new SafetensorsFile(path, tensors, metadata, null, null, dataStart);
        }
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        try
        {
            var view = map.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
            return new SafetensorsFile(path, tensors, metadata, map, view, dataStart);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    /// <summary>The tensor's bytes as stored (little-endian, row-major); valid until this file is disposed.</summary>
    public ReadOnlySpan<byte> Bytes(SafetensorsTensor tensor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (tensor.ByteLength == 0)
        {
            return [];
        }
        // A tensor over 2 GB cannot be one span; the largest Qwen2.5-VL-7B tensor (bf16 embeddings) is about 1.1 GB.
        if (tensor.ByteLength > int.MaxValue)
        {
            throw new CheckpointException($"{Path}: tensor '{tensor.Name}' is {tensor.ByteLength} bytes, more than one read can hold; read it in slices.");
        }
        return new ReadOnlySpan<byte>(_base + _dataStart + tensor.Begin, (int)tensor.ByteLength);
    }

    /// <summary>Bytes [start, start+count) of a tensor, for tensors read in slices.</summary>
    public ReadOnlySpan<byte> Bytes(SafetensorsTensor tensor, long start, int count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start + count > tensor.ByteLength)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"bytes {start}..{start + count} lie outside tensor '{tensor.Name}' ({tensor.ByteLength} bytes).");
        }
        return count == 0 ? [] : new ReadOnlySpan<byte>(_base + _dataStart + tensor.Begin + start, count);
    }

    /// <summary>
    /// Drops the tensor's pages from this process's mapping once it is converted (Linux madvise DONTNEED; they stay in
    /// the page cache), so reading a 16 GB checkpoint through the map does not show up as 16 GB resident. Elsewhere a no-op.
    /// </summary>
    public void Release(SafetensorsTensor tensor) => Release(tensor, 0, tensor.ByteLength);

    /// <summary>Releases bytes [start, start+count) of a tensor that a slice-by-slice copy is done with.</summary>
    public void Release(SafetensorsTensor tensor, long start, long count)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (count <= 0 || _base == null || !OperatingSystem.IsLinux())
        {
            return;
        }
        long page = Environment.SystemPageSize;
        long first = (long)(_base + _dataStart + tensor.Begin + start);
        ReleasePages(first, first + count, page);
    }

    private static void ReleasePages(long start, long end, long page)
    {
        // Only whole pages inside the range: a neighbour sharing an edge page may still be in use.
        long first = (start + page - 1) / page * page;
        long last = end / page * page;
        if (last > first)
        {
            _ = Madvise((nint)first, (nuint)(last - first), MadviseDontNeed);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }

    private const int MadviseDontNeed = 4;

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static extern int Madvise(nint address, nuint length, int advice);

    private static (Dictionary<string, SafetensorsTensor>, Dictionary<string, string>) ParseHeader(
        byte[] header, string path, string fileName, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw new CheckpointException($"{path} has a damaged header (not valid JSON: {ex.Message}).", ex);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException($"{path} has a damaged header: expected a JSON object of tensors.");
            }
            var tensors = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var entry in property.Value.EnumerateObject())
                        {
                            metadata[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText();
                        }
                    }
                    continue;
                }
                var tensor = ParseTensor(property, path, fileName);
                if (tensor.Begin + tensor.ByteLength > dataLength)
                {
                    throw new CheckpointException(
                        $"{path} is truncated: tensor '{tensor.Name}' needs data bytes {tensor.Begin}..{tensor.Begin + tensor.ByteLength} but the file holds only {dataLength}.");
                }
                tensors[tensor.Name] = tensor;
            }
            return (tensors, metadata);
        }
    }

    private static SafetensorsTensor ParseTensor(JsonProperty property, string path, string fileName)
    {
        string name = property.Name;
        var value = property.Value;
        try
        {
            string dtypeText = value.GetProperty("dtype").GetString() ?? "";
            var dtype = SafetensorsDType.Parse(dtypeText);
            var shape = value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var offsets = value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
            {
                throw new CheckpointException($"{path}: tensor '{name}' has invalid data_offsets [{string.Join(", ", offsets)}].");
            }
            if (shape.Any(d => d < 0))
            {
                throw new CheckpointException($"{path}: tensor '{name}' has a negative dimension in shape [{string.Join(", ", shape)}].");
            }
            long elements = shape.Aggregate(1L, (a, b) => checked(a * b));
            long expected = checked(elements * dtype.Size);
            if (offsets[1] - offsets[0] != expected)
            {
                throw new CheckpointException(
                    $"{path}: tensor '{name}' is {dtype.Name} [{string.Join(", ", shape)}] = {expected} bytes but its data_offsets span {offsets[1] - offsets[0]}.");
            }
            return new SafetensorsTensor(name, dtype, shape, offsets[0], expected, fileName);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new CheckpointException($"{path}: the header entry of tensor '{name}' is damaged ({ex.Message}).", ex);
        }
    }
}

/// <summary>One tensor's header entry: dtype, shape and where its bytes lie in the data section of <see cref="File"/>.</summary>
public sealed record SafetensorsTensor(string Name, SafetensorsDType DType, long[] Shape, long Begin, long ByteLength, string File)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
