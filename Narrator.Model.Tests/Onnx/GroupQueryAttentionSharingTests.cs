using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Graphs;
using static Narrator.Model.Onnx.Graphs.OnnxGraphBuilder;
using AttributeProto = Narrator.Model.Onnx.Proto.AttributeProto;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Tests.Onnx;

/// <summary>
/// ONNX Runtime 1.31's GroupQueryAttention contract for one KV buffer bound as past and present, pinned on the CPU
/// provider with a graph of a single GQA node (q, k, v and the attention mask are inputs; seqlens_k and
/// total_sequence_length come from the mask as genai's decoders compute them). The runtime's KvCache and TextDecoder
/// rely on each of these facts.
/// </summary>
public class GroupQueryAttentionSharingTests
{
    private const int Heads = 4, KvHeads = 2, HeadSize = 16;

    /// <summary>Chunked prefill (5, then 3 tokens: a first prompt, then a "subsequent prompt") and three decode steps.</summary>
    private static readonly int[] Runs = [5, 3, 1, 1, 1];

    [Fact]
    public void Shared_buffer_gives_the_outputs_of_separate_past_and_present_and_is_written_in_place()
    {
        using var session = new InferenceSession(Graph(DataType.Float));
        var growing = RunGrowing(session);

        const int capacity = 16;
        using var keys = Buffer(capacity);
        using var values = Buffer(capacity);
        IntPtr keysAddress = keys.DataAddress();
        using var binding = session.CreateIoBinding();
        var random = new Random(3);
        int past = 0;
        for (int run = 0; run < Runs.Length; run++)
        {
            int s = Runs[run];
            using var inputs = new StepInputs(random, s, past);
            var output = new float[s * Heads * HeadSize];
            using var outputValue = OrtValue.CreateTensorValueFromMemory(output, [1, s, Heads * HeadSize]);
            inputs.Bind(binding);
            // The past's sequence dimension is the buffer's capacity; the mask [1, past + S] says how much of it is used.
            binding.BindInput("past_key", keys);
            binding.BindInput("past_value", values);
            binding.BindOutput("out", outputValue);
            binding.BindOutput("present_key", keys);
            binding.BindOutput("present_value", values);
            session.RunWithBinding(new RunOptions(), binding);
            past += s;

            Assert.Equal(growing.Outputs[run], output);
            using var presents = binding.GetOutputValues();
            Assert.Equal([1L, KvHeads, capacity, HeadSize], presents[1].GetTensorTypeAndShape().Shape);
            Assert.Equal(keysAddress, presents[1].DataAddress());
            Assert.Equal(keysAddress, keys.DataAddress());
        }
        // The first past positions of each head hold exactly the growing path's present.
        Assert.Equal(growing.Keys, Used(keys, past, capacity));
        Assert.Equal(growing.Values, Used(values, past, capacity));
    }

    [Fact]
    public void A_run_past_the_buffer_is_an_error_not_a_silent_overwrite()
    {
        using var session = new InferenceSession(Graph(DataType.Float));
        using var keys = Buffer(4);
        using var values = Buffer(4);
        using var binding = session.CreateIoBinding();
        var random = new Random(1);
        int past = 0;
        foreach (int s in new[] { 2, 1, 1 })
        {
            using var inputs = new StepInputs(random, s, past);
            Run(session, binding, inputs, keys, values);
            past += s;
        }
        using var overflow = new StepInputs(random, 1, past);
        // present = max(total, capacity) = 5 no longer matches the bound [1, kv, 4, head]: KvCache refuses before this point.
        var error = Assert.Throws<OnnxRuntimeException>(() => Run(session, binding, overflow, keys, values));
        Assert.Contains("present_key", error.Message);
    }

    [Fact]
    public void Cpu_kernels_exist_for_fp32_and_fp16_but_not_bf16()
    {
        using (new InferenceSession(Graph(DataType.Float16)))
        {
        }
        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(Graph(DataType.Bfloat16)));
        Assert.Contains("Could not find an implementation for GroupQueryAttention", error.Message);
    }

    [Fact]
    public void Decoder_facts_read_the_window_and_int4_from_node_attributes_without_loading_weights()
    {
        var g = new OnnxGraphBuilder("facts");
        string x = g.Input("x", DataType.Float, 1, 8);
        // 4 MB of embedded weights: the reader must step over them, not parse them.
        string big = g.Initializer("big", DataType.Float, new byte[4 << 20], 1 << 20);
        g.MicrosoftNode("GroupQueryAttention", [x], Attr("num_heads", 4L), Attr("kv_num_heads", 2L), Attr("local_window_size", 4096L));
        g.MicrosoftNode("GroupQueryAttention", [x], Attr("num_heads", 4L), Attr("kv_num_heads", 2L), Attr("local_window_size", 4096L));
        g.MicrosoftNode("MatMulNBits", [x, big], Attr("K", 8L), Attr("N", 8L), Attr("bits", 4L), Attr("block_size", 32L));
        g.Output(g.Node("Identity", [x]), "y", DataType.Float, 1, 8);
        string path = Path.Combine(Path.GetTempPath(), $"narrator-facts-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, g.ToModel(new Dictionary<string, string>(), "facts-test").ToByteArray());
            var facts = DecoderGraphFacts.Read(path);
            Assert.Equal((2, 4096, false, 4, 32),
                (facts.GroupQueryAttentionNodes, facts.LocalWindowSize, facts.SlidingWindowCache, facts.QuantizedBits, facts.QuantizedBlockSize));

            File.WriteAllBytes(path, [0x0A, 0xFF, 0xFF, 0xFF, 0x0F]);
            var error = Assert.Throws<ModelPackageException>(() => DecoderGraphFacts.Read(path));
            Assert.Contains("is not an ONNX model", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Run(InferenceSession session, OrtIoBinding binding, StepInputs inputs, OrtValue keys, OrtValue values)
    {
        inputs.Bind(binding);
        binding.BindInput("past_key", keys);
        binding.BindInput("past_value", values);
        binding.BindOutputToDevice("out", OrtMemoryInfo.DefaultInstance);
        binding.BindOutput("present_key", keys);
        binding.BindOutput("present_value", values);
        session.RunWithBinding(new RunOptions(), binding);
    }

    /// <summary>The reference: past [1,kv,P,head] in, a new present [1,kv,P+S,head] out and fed back (what KvCache no longer does).</summary>
    private static (List<float[]> Outputs, float[] Keys, float[] Values) RunGrowing(InferenceSession session)
    {
        var random = new Random(3);
        float[] keys = [], values = [];
        var outputs = new List<float[]>();
        int past = 0;
        foreach (int s in Runs)
        {
            using var inputs = new StepInputs(random, s, past);
            using var pastKey = OrtValue.CreateTensorValueFromMemory(keys, [1, KvHeads, past, HeadSize]);
            using var pastValue = OrtValue.CreateTensorValueFromMemory(values, [1, KvHeads, past, HeadSize]);
            using var results = session.Run(new RunOptions(), new Dictionary<string, OrtValue>
            {
                ["q"] = inputs.Query, ["k"] = inputs.Key, ["v"] = inputs.Value, ["attention_mask"] = inputs.Mask,
                ["past_key"] = pastKey, ["past_value"] = pastValue,
            }, ["out", "present_key", "present_value"]);
            past += s;
            Assert.Equal([1L, KvHeads, past, HeadSize], results[1].GetTensorTypeAndShape().Shape);
            outputs.Add(results[0].GetTensorDataAsSpan<float>().ToArray());
            keys = results[1].GetTensorDataAsSpan<float>().ToArray();
            values = results[2].GetTensorDataAsSpan<float>().ToArray();
        }
        return (outputs, keys, values);
    }

    private static OrtValue Buffer(int capacity)
    {
        var buffer = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [1, KvHeads, capacity, HeadSize]);
        // Unused rows stay NaN: any read of them would show in the outputs.
        buffer.GetTensorMutableDataAsSpan<float>().Fill(float.NaN);
        return buffer;
    }

    private static float[] Used(OrtValue buffer, int length, int capacity)
    {
        var all = buffer.GetTensorDataAsSpan<float>();
        var used = new float[KvHeads * length * HeadSize];
        for (int head = 0; head < KvHeads; head++)
        {
            all.Slice(head * capacity * HeadSize, length * HeadSize).CopyTo(used.AsSpan(head * length * HeadSize));
        }
        return used;
    }

    /// <summary>Random q, k, v for S new tokens and the all-ones mask [1, past + S].</summary>
    private sealed class StepInputs : IDisposable
    {
        public StepInputs(Random random, int tokens, int past)
        {
            Query = OrtValue.CreateTensorValueFromMemory(Random(random, tokens * Heads * HeadSize), [1, tokens, Heads * HeadSize]);
            Key = OrtValue.CreateTensorValueFromMemory(Random(random, tokens * KvHeads * HeadSize), [1, tokens, KvHeads * HeadSize]);
            Value = OrtValue.CreateTensorValueFromMemory(Random(random, tokens * KvHeads * HeadSize), [1, tokens, KvHeads * HeadSize]);
            Mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, past + tokens).ToArray(), [1, past + tokens]);
        }

        public OrtValue Query { get; }

        public OrtValue Key { get; }

        public OrtValue Value { get; }

        public OrtValue Mask { get; }

        public void Bind(OrtIoBinding binding)
        {
            binding.BindInput("q", Query);
            binding.BindInput("k", Key);
            binding.BindInput("v", Value);
            binding.BindInput("attention_mask", Mask);
        }

        public void Dispose()
        {
            Query.Dispose();
            Key.Dispose();
            Value.Dispose();
            Mask.Dispose();
        }

        private static float[] Random(Random random, int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
    }

    /// <summary>One GroupQueryAttention node, seqlens_k = sum(mask) - 1 and total_sequence_length = mask width (genai's subgraph).</summary>
    private static byte[] Graph(DataType type)
    {
        var g = new OnnxGraphBuilder("gqa_contract");
        string q = g.Input("q", type, 1, "sequence", Heads * HeadSize);
        string k = g.Input("k", type, 1, "sequence", KvHeads * HeadSize);
        string v = g.Input("v", type, 1, "sequence", KvHeads * HeadSize);
        string pastKey = g.Input("past_key", type, 1, KvHeads, "past_sequence", HeadSize);
        string pastValue = g.Input("past_value", type, 1, KvHeads, "past_sequence", HeadSize);
        string mask = g.Input("attention_mask", DataType.Int64, 1, "total_sequence");
        string seqlens = g.Cast(g.Sub(g.Node("ReduceSum", [mask, g.Int64Vector(1)], Attr("keepdims", 0L)), g.Int64Scalar(1)), DataType.Int32);
        string total = g.Cast(g.Squeeze(g.ShapeOf(mask, 1, 2), 0), DataType.Int32);
        AttributeProto[] attributes = [Attr("num_heads", (long)Heads), Attr("kv_num_heads", (long)KvHeads), Attr("local_window_size", -1L)];
        g.MicrosoftNode("GroupQueryAttention", [q, k, v, pastKey, pastValue, seqlens, total], ["out", "present_key", "present_value"], attributes);
        g.Output("out", "out", type, 1, "sequence", Heads * HeadSize);
        g.Output("present_key", "present_key", type, 1, KvHeads, "present_sequence", HeadSize);
        g.Output("present_value", "present_value", type, 1, KvHeads, "present_sequence", HeadSize);
        return g.ToModel(new Dictionary<string, string>(), "narrator-tests").ToByteArray();
    }
}
