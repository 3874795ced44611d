using System.Text;
using System.Text.Json.Nodes;

namespace Narrator.Model.Conversion.Checkpoint;

/// <summary>One tensor to write: its header entry and a callback that writes exactly its bytes (little-endian, row-major).</summary>
public sealed record SafetensorsTensorSource(string Name, SafetensorsDType DType, long[] Shape, Action<Stream> WriteData)
{
    public long ByteLength => Shape.Aggregate(1L, (a, b) => a * b) * DType.Size;
}

/// <summary>
/// Writes a <c>.safetensors</c> file tensor by tensor (demo and benchmark checkpoints, test fixtures): the header is
/// computed from the shapes first, so no tensor has to be held in memory with another.
/// </summary>
public static class SafetensorsWriter
{
    public static void Write(string path, IReadOnlyList<SafetensorsTensorSource> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (key, value) in metadata)
            {
                meta[key] = value;
            }
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (var tensor in tensors)
        {
            header[tensor.Name] = new JsonObject
            {
                ["dtype"] = tensor.DType.Name,
                ["shape"] = new JsonArray(tensor.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + tensor.ByteLength),
            };
            offset += tensor.ByteLength;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The reference writer pads the header with spaces to a multiple of 8 so the data starts aligned.
        int padded = (json.Length + 7) / 8 * 8;

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        stream.Write(BitConverter.GetBytes((ulong)padded));
        stream.Write(json);
        for (int i = json.Length; i < padded; i++)
        {
            stream.WriteByte((byte)' ');
        }
        foreach (var tensor in tensors)
        {
            long start = stream.Position;
            tensor.WriteData(stream);
            if (stream.Position - start != tensor.ByteLength)
            {
                throw new InvalidOperationException(
                    $"Tensor '{tensor.Name}' ({tensor.DType} [{string.Join(", ", tensor.Shape)}]) needs {tensor.ByteLength} bytes but {stream.Position - start} were written.");
            }
        }
    }
}
