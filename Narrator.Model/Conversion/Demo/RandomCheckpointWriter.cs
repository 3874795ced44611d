using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Text;

namespace Narrator.Model.Conversion.Demo;

/// <summary>
/// Writes a Hugging Face Qwen2.5-VL checkpoint folder with random bf16 weights under the published tensor names
/// (config.json, generation_config.json, preprocessor_config.json, the bundled tokenizer, model.safetensors), so the
/// demo model and tests go through the same converter as a downloaded checkpoint. Magnitudes follow hf-tiny (Linear
/// weights of standard deviation 1/√in, biases 0.05, norms 1 ± 0.1, all non-zero), so a dropped bias or norm shows.
/// Same seed, same bytes.
/// </summary>
public static class RandomCheckpointWriter
{
    private const float ConstantDimensionValue = 1f;
    private const float UnreachablePenalty = 200f;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task WriteAsync(string directory, RandomCheckpointSpec spec, int seed, CancellationToken cancellationToken = default)
    {
        if (spec.KeepTextDecodable && spec.TieWordEmbeddings)
        {
            throw new ArgumentException("KeepTextDecodable needs an LM head of its own: its rows differ from the embedding's.", nameof(spec));
        }
        Directory.CreateDirectory(directory);
        var config = spec.ToConfig();
        await File.WriteAllTextAsync(Path.Combine(directory, Qwen25VlConfig.FileName), config.ToJson().ToJsonString(Indented), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, HfCheckpoint.GenerationConfigFileName), GenerationConfigJson(spec), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, PackageFiles.PreprocessorConfigFileName), PackageFiles.DefaultPreprocessorConfig(config.Vision), cancellationToken);
        await BundledTokenizer.WriteToAsync(directory, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        SafetensorsWriter.Write(Path.Combine(directory, HfCheckpoint.SingleFileName), Tensors(spec, config.Vision, seed), new Dictionary<string, string> { ["format"] = "pt" });
    }

    private static List<SafetensorsTensorSource> Tensors(RandomCheckpointSpec spec, Qwen25VlVisionConfig vision, int seed)
    {
        var tensors = new List<SafetensorsTensorSource>();
        int h = spec.HiddenSize, q = spec.AttentionHeads * spec.HeadSize, kv = spec.KeyValueHeads * spec.HeadSize;
        int constant = spec.KeepTextDecodable ? h - 1 : -1;
        int index = 0;

        // Each tensor draws from its own generator (seed, position), so changing one tensor's shape leaves the others alone.
        void Add(string name, long[] shape, Func<WeightRandom, long, float> value) =>
            tensors.Add(Source(name, shape, new WeightRandom(((ulong)(uint)seed << 20) ^ (ulong)index++), value));
        Func<WeightRandom, long, float> Linear(int inputs, float gain = 1f) => (r, _) => r.NextUnit() * gain / MathF.Sqrt(inputs);
        Func<WeightRandom, long, float> Bias() => (r, _) => r.NextUnit() * 0.05f;
        Func<WeightRandom, long, float> Norm() => (r, _) => 1f + r.NextUnit() * 0.1f;
        // Zeroes output row `constant` of a residual-writing [out, in] weight, so no layer changes that dimension.
        Func<WeightRandom, long, float> KeepConstantRow(int inputs, Func<WeightRandom, long, float> inner) =>
            (r, i) => { float v = inner(r, i); return i / inputs == constant ? 0f : v; };

        Add("model.embed_tokens.weight", [spec.VocabSize, h], (r, i) => { float v = r.NextUnit(); return i % h == constant ? ConstantDimensionValue : v; });
        for (int layer = 0; layer < spec.Layers; layer++)
        {
            string p = $"model.layers.{layer}.";
            Add(p + "input_layernorm.weight", [h], Norm());
            Add(p + "self_attn.q_proj.weight", [q, h], Linear(h));
            Add(p + "self_attn.q_proj.bias", [q], Bias());
            Add(p + "self_attn.k_proj.weight", [kv, h], Linear(h));
            Add(p + "self_attn.k_proj.bias", [kv], Bias());
            Add(p + "self_attn.v_proj.weight", [kv, h], Linear(h));
            Add(p + "self_attn.v_proj.bias", [kv], Bias());
            Add(p + "self_attn.o_proj.weight", [h, q], KeepConstantRow(q, Linear(q)));
            Add(p + "post_attention_layernorm.weight", [h], Norm());
            Add(p + "mlp.gate_proj.weight", [spec.IntermediateSize, h], Linear(h));
            Add(p + "mlp.up_proj.weight", [spec.IntermediateSize, h], Linear(h));
            Add(p + "mlp.down_proj.weight", [h, spec.IntermediateSize], KeepConstantRow(spec.IntermediateSize, Linear(spec.IntermediateSize)));
        }
        Add("model.norm.weight", [h], (r, i) => { float v = 1f + r.NextUnit() * 0.1f; return i == constant ? 1f : v; });
        var unreachable = new HashSet<long>();
        if (spec.KeepTextDecodable)
        {
            for (long id = spec.FirstSpecialTokenId; id < spec.VocabSize; id++)
            {
                unreachable.Add(id);
            }
            unreachable.ExceptWith(spec.EosTokenIds);
        }
        if (!spec.TieWordEmbeddings)
        {
            Add("lm_head.weight", [spec.VocabSize, h], (r, i) =>
            {
                float v = r.NextUnit() * 6f / MathF.Sqrt(h);
                return i % h != constant ? v : unreachable.Contains(i / h) ? -UnreachablePenalty : 0f;
            });
        }

        // The vision tower's random weights; with the decodable trick, the merger's last Linear writes the reserved
        // dimension's constant instead of a random value, since image features replace embedding rows.
        int merged = vision.HiddenSize * vision.SpatialMergeSize * vision.SpatialMergeSize;
        foreach (var tensor in RandomVisionWeights.Tensors(vision, (ulong)(uint)seed))
        {
            if (spec.KeepTextDecodable && tensor.Name == "visual.merger.mlp.2.weight")
            {
                Add(tensor.Name, tensor.Shape, KeepConstantRow(merged, Linear(merged)));
            }
            else if (spec.KeepTextDecodable && tensor.Name == "visual.merger.mlp.2.bias")
            {
                Add(tensor.Name, tensor.Shape, (r, i) => { float v = r.NextUnit() * 0.05f; return i == constant ? ConstantDimensionValue : v; });
            }
            else
            {
                tensors.Add(tensor);
            }
        }
        return tensors;
    }

    /// <summary>A bf16 tensor whose values are drawn when the file is written, a slice at a time.</summary>
    private static SafetensorsTensorSource Source(string name, long[] shape, WeightRandom random, Func<WeightRandom, long, float> value) =>
        new(name, SafetensorsDType.BF16, shape, stream =>
        {
            long count = shape.Aggregate(1L, (a, b) => a * b);
            var buffer = new byte[Math.Min(count, 1 << 16) * 2];
            for (long start = 0; start < count; start += buffer.Length / 2)
            {
                int n = (int)Math.Min(buffer.Length / 2, count - start);
                for (int i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(2 * i), TensorConversion.ToBFloat16Bits(value(random, start + i)));
                }
                stream.Write(buffer, 0, 2 * n);
            }
        });

    private static string GenerationConfigJson(RandomCheckpointSpec spec) => new JsonObject
    {
        ["bos_token_id"] = 151643,
        ["pad_token_id"] = 151643,
        ["do_sample"] = false,
        ["eos_token_id"] = new JsonArray([.. spec.EosTokenIds.Select(id => (JsonNode)id)]),
        ["repetition_penalty"] = 1.05,
        ["transformers_version"] = "4.50.0",
    }.ToJsonString(Indented);
}
