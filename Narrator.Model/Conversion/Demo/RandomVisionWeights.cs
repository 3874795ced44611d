using System.Buffers.Binary;
using Narrator.Model.Conversion.Checkpoint;

namespace Narrator.Model.Conversion.Demo;

/// <summary>
/// Random bf16 weights for a Qwen2.5-VL vision tower with the published checkpoints' tensor names and shapes
/// (<c>visual.patch_embed</c>, <c>visual.blocks.{i}</c>, <c>visual.merger</c>), for tests, benchmarks and random
/// checkpoints at real shapes. Each tensor is generated as it is written, from its own seed, so a 7B-width tower never
/// sits in memory and any subset of tensors comes out the same. Scales keep activations of order one through the
/// blocks (weights of standard deviation 1/√in, biases 0.02, norm weights 1 ± 0.1).
/// </summary>
public static class RandomVisionWeights
{
    /// <summary>The vision tensors of <paramref name="vision"/>, ready for <see cref="SafetensorsWriter"/>.</summary>
    public static IReadOnlyList<SafetensorsTensorSource> Tensors(Qwen25VlVisionConfig vision, ulong seed)
    {
        int width = vision.HiddenSize, inner = vision.IntermediateSize, merged = width * vision.SpatialMergeSize * vision.SpatialMergeSize;
        var tensors = new List<SafetensorsTensorSource>
        {
            Weight("visual.patch_embed.proj.weight",
                [width, vision.InChannels, vision.TemporalPatchSize, vision.PatchSize, vision.PatchSize], vision.PatchInputSize),
        };
        for (int block = 0; block < vision.Depth; block++)
        {
            string p = $"visual.blocks.{block}";
            tensors.Add(Norm($"{p}.norm1.weight", width));
            tensors.Add(Norm($"{p}.norm2.weight", width));
            tensors.Add(Weight($"{p}.attn.qkv.weight", [3 * width, width], width));
            tensors.Add(Bias($"{p}.attn.qkv.bias", 3 * width));
            tensors.Add(Weight($"{p}.attn.proj.weight", [width, width], width));
            tensors.Add(Bias($"{p}.attn.proj.bias", width));
            tensors.Add(Weight($"{p}.mlp.gate_proj.weight", [inner, width], width));
            tensors.Add(Bias($"{p}.mlp.gate_proj.bias", inner));
            tensors.Add(Weight($"{p}.mlp.up_proj.weight", [inner, width], width));
            tensors.Add(Bias($"{p}.mlp.up_proj.bias", inner));
            tensors.Add(Weight($"{p}.mlp.down_proj.weight", [width, inner], inner));
            tensors.Add(Bias($"{p}.mlp.down_proj.bias", width));
        }
        tensors.Add(Norm("visual.merger.ln_q.weight", width));
        tensors.Add(Weight("visual.merger.mlp.0.weight", [merged, merged], merged));
        tensors.Add(Bias("visual.merger.mlp.0.bias", merged));
        tensors.Add(Weight("visual.merger.mlp.2.weight", [vision.OutHiddenSize, merged], merged));
        tensors.Add(Bias("visual.merger.mlp.2.bias", vision.OutHiddenSize));
        return tensors;

        SafetensorsTensorSource Weight(string name, long[] shape, int inputs) => Source(name, shape, seed, 1 / MathF.Sqrt(inputs), 0);
        SafetensorsTensorSource Bias(string name, int length) => Source(name, [length], seed, 0.02f, 0);
        SafetensorsTensorSource Norm(string name, int length) => Source(name, [length], seed, 0.1f, 1);
    }

    /// <summary>
    /// A checkpoint folder holding <paramref name="config"/>'s config.json and a model.safetensors with the vision tower
    /// only: enough for <see cref="Conversion.Vision.VisionGraphWriter"/>, not for a whole conversion.
    /// </summary>
    public static void WriteVisionCheckpoint(string directory, Qwen25VlConfig config, ulong seed)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, Qwen25VlConfig.FileName), config.ToJson().ToJsonString(new() { WriteIndented = true }));
        SafetensorsWriter.Write(Path.Combine(directory, HfCheckpoint.SingleFileName), Tensors(config.Vision, seed),
            new Dictionary<string, string> { ["format"] = "pt" });
    }

    private static SafetensorsTensorSource Source(string name, long[] shape, ulong seed, float std, float mean) =>
        new(name, SafetensorsDType.BF16, shape, stream =>
        {
            // The tensor's seed mixes in its name, so adding or dropping tensors leaves the others unchanged.
            var random = new WeightRandom(seed ^ (ulong)StableHash(name));
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var buffer = new byte[2 * 65536];
            for (long done = 0; done < count;)
            {
                int chunk = (int)Math.Min(65536, count - done);
                for (int i = 0; i < chunk; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(2 * i), TensorConversion.ToBFloat16Bits(mean + std * random.NextUnit()));
                }
                stream.Write(buffer, 0, 2 * chunk);
                done += chunk;
            }
        });

    /// <summary>FNV-1a, stable across processes (string.GetHashCode is randomised per process).</summary>
    private static long StableHash(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return (long)hash;
    }
}
