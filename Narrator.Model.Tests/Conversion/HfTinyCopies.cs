using System.Text.Json.Nodes;
using Narrator.Model.Conversion.Checkpoint;

namespace Narrator.Model.Tests.Conversion;

/// <summary>Copies of the hf-tiny checkpoint changed in one way (sharded, damaged, a tensor missing or replaced), for reader and converter tests.</summary>
internal static class HfTinyCopies
{
    /// <summary>The checkpoint with every tensor as stored except those <paramref name="replace"/> returns a new source for.</summary>
    public static string Rewritten(string folder, Func<string, SafetensorsTensorSource?> replace)
    {
        CopyNonWeightFiles(folder);
        using var original = HfCheckpoint.Open(HfTiny.Checkpoint);
        var sources = original.TensorNames.Order(StringComparer.Ordinal).Select(name => replace(name) ?? Stored(original, name)).ToList();
        SafetensorsWriter.Write(Path.Combine(folder, HfCheckpoint.SingleFileName), sources);
        return folder;
    }

    public static string Without(string folder, string dropped)
    {
        CopyNonWeightFiles(folder);
        using var original = HfCheckpoint.Open(HfTiny.Checkpoint);
        var sources = original.TensorNames.Where(n => n != dropped).Order(StringComparer.Ordinal).Select(name => Stored(original, name)).ToList();
        SafetensorsWriter.Write(Path.Combine(folder, HfCheckpoint.SingleFileName), sources);
        return folder;
    }

    /// <summary>The checkpoint with tensor <paramref name="name"/> replaced by zeros of another dtype or shape.</summary>
    public static string Replaced(string folder, string name, SafetensorsDType dtype, params long[] shape) =>
        Rewritten(folder, n => n == name
            ? new SafetensorsTensorSource(name, dtype, shape, s => s.Write(new byte[shape.Aggregate(1L, (a, b) => a * b) * dtype.Size]))
            : null);

    public static string Truncated(string folder, int bytes = 1000)
    {
        HfTiny.CopyCheckpoint(folder);
        using var stream = new FileStream(Path.Combine(folder, HfCheckpoint.SingleFileName), FileMode.Open);
        stream.SetLength(stream.Length - bytes);
        return folder;
    }

    public static string WithModelType(string folder, string modelType)
    {
        HfTiny.CopyCheckpoint(folder);
        string config = Path.Combine(folder, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json["model_type"] = modelType;
        File.WriteAllText(config, json.ToJsonString());
        return folder;
    }

    /// <summary>Splits the checkpoint into two shards with a Hub-style index (the second left out when asked).</summary>
    public static string Sharded(string folder, bool missingShard)
    {
        CopyNonWeightFiles(folder);
        using var original = HfCheckpoint.Open(HfTiny.Checkpoint);
        var names = original.TensorNames.Order(StringComparer.Ordinal).ToList();
        var weightMap = new JsonObject();
        var shards = new[] { names.Where(n => n.StartsWith("visual.", StringComparison.Ordinal)).ToList(), names.Where(n => !n.StartsWith("visual.", StringComparison.Ordinal)).ToList() };
        for (int s = 0; s < shards.Length; s++)
        {
            string shardName = $"model-0000{s + 1}-of-00002.safetensors";
            var sources = shards[s].Select(name =>
            {
                weightMap[name] = shardName;
                return Stored(original, name);
            }).ToList();
            if (!(missingShard && s == 1))
            {
                SafetensorsWriter.Write(Path.Combine(folder, shardName), sources);
            }
        }
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = original.TotalBytes }, ["weight_map"] = weightMap };
        File.WriteAllText(Path.Combine(folder, HfCheckpoint.IndexFileName), index.ToJsonString());
        return folder;
    }

    private static SafetensorsTensorSource Stored(HfCheckpoint original, string name)
    {
        var tensor = original.Tensor(name);
        byte[] bytes = original.Bytes(tensor).ToArray();
        return new SafetensorsTensorSource(name, tensor.DType, tensor.Shape, s => s.Write(bytes));
    }

    private static void CopyNonWeightFiles(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(HfTiny.Checkpoint).Where(f => !f.EndsWith(".safetensors", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
    }
}
