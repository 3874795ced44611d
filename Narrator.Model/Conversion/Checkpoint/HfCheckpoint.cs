using System.Text.Json;
using System.Text.Json.Nodes;

namespace Narrator.Model.Conversion.Checkpoint;

/// <summary>
/// A Hugging Face Qwen2.5-VL checkpoint folder, opened: <c>config.json</c>, and either one <c>model.safetensors</c> or
/// the Hub's shards named by <c>model.safetensors.index.json</c>. Tensors are looked up by their published names
/// (<c>model.layers.0...</c>, <c>visual.blocks.0...</c>, <c>lm_head.weight</c>); the names newer transformers write
/// (<c>model.language_model.*</c>, <c>model.visual.*</c>) are found too. Reading is tensor by tensor through memory maps.
/// </summary>
public sealed class HfCheckpoint : IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";
    public const string GenerationConfigFileName = "generation_config.json";

    private readonly Dictionary<string, SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsTensor> _tensors;

    private HfCheckpoint(string directory, Qwen25VlConfig config, JsonObject? generationConfig,
        Dictionary<string, SafetensorsFile> files, Dictionary<string, SafetensorsTensor> tensors)
    {
        Directory = directory;
        Config = config;
        GenerationConfig = generationConfig;
        _files = files;
        _tensors = tensors;
    }

    public string Directory { get; }

    public Qwen25VlConfig Config { get; }

    /// <summary><c>generation_config.json</c> when present (eos ids, sampling defaults).</summary>
    public JsonObject? GenerationConfig { get; }

    /// <summary>Every tensor name the checkpoint holds, as stored.</summary>
    public IEnumerable<string> TensorNames => _tensors.Keys;

    /// <summary>Total bytes of tensor data across all files.</summary>
    public long TotalBytes => _tensors.Values.Sum(t => t.ByteLength);

    /// <summary>Opens and checks a folder; every problem is a <see cref="CheckpointException"/> naming the file (and tensor).</summary>
    public static HfCheckpoint Open(string directory)
    {
        string root = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(root))
        {
            throw new CheckpointException($"Checkpoint folder {root} does not exist.");
        }
        var config = Qwen25VlConfig.Load(Path.Combine(root, Qwen25VlConfig.FileName));
        var generation = ReadOptionalJson(Path.Combine(root, GenerationConfigFileName));

        var files = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        var tensors = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
        try
        {
            string indexPath = Path.Combine(root, IndexFileName);
            if (File.Exists(indexPath))
            {
                OpenShards(root, indexPath, files, tensors);
            }
            else
            {
                string single = Path.Combine(root, SingleFileName);
                if (!File.Exists(single))
                {
                    throw new CheckpointException(
                        $"{root} holds neither {SingleFileName} nor {IndexFileName}: download the checkpoint's safetensors files into it.");
                }
                var file = SafetensorsFile.Open(single);
                files[SingleFileName] = file;
                foreach (var tensor in file.Tensors.Values)
                {
                    tensors[tensor.Name] = tensor;
                }
            }
            return new HfCheckpoint(root, config, generation, files, tensors);
        }
        catch
        {
            foreach (var file in files.Values)
            {
                file.Dispose();
            }
            throw;
        }
    }

    public bool Contains(string name) => Resolve(name) is not null;

    /// <summary>The header entry of a tensor by its published name; a missing tensor is a sentence naming it.</summary>
    public SafetensorsTensor Tensor(string name) =>
        Resolve(name) ?? throw new CheckpointException(
            $"{Describe()} has no tensor '{name}': the checkpoint is incomplete or is not a Qwen2.5-VL checkpoint.");

    /// <summary>A tensor's header entry, checked to have <paramref name="shape"/> and a dtype the converter reads.</summary>
    public SafetensorsTensor Tensor(string name, params long[] shape)
    {
        var tensor = Tensor(name);
        if (!tensor.Shape.SequenceEqual(shape))
        {
            throw new CheckpointException(
                $"{Path.Combine(Directory, tensor.File)}: tensor '{tensor.Name}' has shape {tensor.ShapeText} but config.json implies [{string.Join(", ", shape)}].");
        }
        if (!tensor.DType.IsFloat)
        {
            throw new CheckpointException(
                $"{Path.Combine(Directory, tensor.File)}: tensor '{tensor.Name}' is {tensor.DType}; the converter reads {SafetensorsDType.Readable}.");
        }
        return tensor;
    }

    /// <summary>The stored bytes of a tensor (valid while the checkpoint is open).</summary>
    public ReadOnlySpan<byte> Bytes(SafetensorsTensor tensor) => _files[tensor.File].Bytes(tensor);

    /// <summary>Bytes [start, start+count) of a stored tensor, for tensors converted in slices.</summary>
    public ReadOnlySpan<byte> Bytes(SafetensorsTensor tensor, long start, int count) => _files[tensor.File].Bytes(tensor, start, count);

    /// <summary>Lets the operating system drop a converted tensor's mapped pages (see <see cref="SafetensorsFile.Release"/>).</summary>
    public void Release(SafetensorsTensor tensor) => _files[tensor.File].Release(tensor);

    /// <summary>Releases the mapped pages of bytes [start, start+count) of a tensor copied slice by slice.</summary>
    public void Release(SafetensorsTensor tensor, long start, long count) => _files[tensor.File].Release(tensor, start, count);

    /// <summary>A tensor of the expected shape, widened to fp32 (bf16 exactly). Allocates the whole tensor.</summary>
    public float[] ReadFloat32(string name, params long[] shape)
    {
        var tensor = Tensor(name, shape);
        var values = new float[tensor.ElementCount];
        TensorConversion.ToFloat32(Bytes(tensor), tensor.DType, values);
        return values;
    }

    /// <summary>Rows [firstRow, firstRow + destination.Length / rowLength) of a 2-D tensor widened to fp32, for large tensors read in slices.</summary>
    public void ReadRows(SafetensorsTensor tensor, long firstRow, Span<float> destination)
    {
        long rowLength = tensor.Shape.Length == 0 ? 1 : tensor.Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        if (destination.Length % rowLength != 0)
        {
            throw new ArgumentException($"{destination.Length} values are not whole rows of {rowLength}.", nameof(destination));
        }
        long start = firstRow * rowLength * tensor.DType.Size;
        int count = checked(destination.Length * tensor.DType.Size);
        TensorConversion.ToFloat32(Bytes(tensor, start, count), tensor.DType, destination);
    }

    public void Dispose()
    {
        foreach (var file in _files.Values)
        {
            file.Dispose();
        }
    }

    private SafetensorsTensor? Resolve(string name)
    {
        if (_tensors.TryGetValue(name, out var tensor))
        {
            return tensor;
        }
        // transformers >= 4.52 saves the language model under model.language_model.* and the vision tower under model.visual.*.
        string? alternative = name.StartsWith("model.", StringComparison.Ordinal) ? "model.language_model." + name["model.".Length..]
            : name.StartsWith("visual.", StringComparison.Ordinal) ? "model." + name
            : null;
        return alternative is not null && _tensors.TryGetValue(alternative, out tensor) ? tensor : null;
    }

    private string Describe() => _files.Count == 1 ? Path.Combine(Directory, _files.Keys.First()) : $"{Directory} ({_files.Count} shards)";

    private static void OpenShards(string root, string indexPath, Dictionary<string, SafetensorsFile> files,
        Dictionary<string, SafetensorsTensor> tensors)
    {
        var index = ReadOptionalJson(indexPath)!;
        if (index["weight_map"] is not JsonObject weightMap || weightMap.Count == 0)
        {
            throw new CheckpointException($"{indexPath} has no weight_map naming the shard of each tensor.");
        }
        foreach (var (name, value) in weightMap)
        {
            string shard = value?.GetValue<string>() ?? "";
            if (shard.Length == 0 || shard.Contains('/') || shard.Contains('\\') || shard.Contains(".."))
            {
                throw new CheckpointException($"{indexPath}: tensor '{name}' names an invalid shard '{shard}'.");
            }
            if (!files.TryGetValue(shard, out var file))
            {
                string shardPath = Path.Combine(root, shard);
                if (!File.Exists(shardPath))
                {
                    throw new CheckpointException($"{indexPath} names shard {shard} (for tensor '{name}'), which is not in {root}.");
                }
                file = SafetensorsFile.Open(shardPath);
                files[shard] = file;
            }
            if (!file.Tensors.TryGetValue(name, out var tensor))
            {
                throw new CheckpointException($"{Path.Combine(root, shard)} has no tensor '{name}', although {IndexFileName} says it does.");
            }
            tensors[name] = tensor;
        }
    }

    private static JsonObject? ReadOptionalJson(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?.AsObject();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new CheckpointException($"{path} is not valid JSON: {ex.Message}", ex);
        }
    }
}
