using Narrator.Model.Conversion.Checkpoint;

namespace Narrator.Model.Tests.Conversion;

/// <summary>
/// Qwen2.5-VL's text model written out plainly in fp64 from transformers' modeling code (RMSNorm, q/k/v with bias,
/// M-RoPE by mrope_section with rotate_half, causal grouped-query attention, SwiGLU, final norm, LM head), reading every
/// size from config.json. It checks converted decoders of any shape; it is itself checked against hf-tiny's
/// transformers logits.
/// </summary>
internal sealed class ReferenceTextModel(HfCheckpoint checkpoint)
{
    private readonly Qwen25VlTextConfig _text = checkpoint.Config.Text;
    private readonly Dictionary<string, double[]> _weights = [];

    /// <summary>Logits of the last position for <paramref name="ids"/> at positions [3, S] (axis-major).</summary>
    public double[] LastLogits(IReadOnlyList<int> ids, IReadOnlyList<long> positions)
    {
        int s = ids.Count, hidden = _text.HiddenSize, heads = _text.AttentionHeads, kvHeads = _text.KeyValueHeads, d = _text.HeadSize;
        var embed = Weight("model.embed_tokens.weight", _text.VocabSize, hidden);
        var h = new double[s][];
        for (int i = 0; i < s; i++)
        {
            h[i] = embed.AsSpan(ids[i] * hidden, hidden).ToArray();
        }
        var (cos, sin) = Rotary(positions, s);
        for (int layer = 0; layer < _text.Layers; layer++)
        {
            string p = $"model.layers.{layer}.";
            var x = h.Select(row => Norm(row, Weight(p + "input_layernorm.weight", hidden))).ToArray();
            var q = x.Select(row => Linear(row, p + "self_attn.q_proj", heads * d, hidden, bias: true)).ToArray();
            var k = x.Select(row => Linear(row, p + "self_attn.k_proj", kvHeads * d, hidden, bias: true)).ToArray();
            var v = x.Select(row => Linear(row, p + "self_attn.v_proj", kvHeads * d, hidden, bias: true)).ToArray();
            for (int i = 0; i < s; i++)
            {
                Rotate(q[i], heads, cos[i], sin[i]);
                Rotate(k[i], kvHeads, cos[i], sin[i]);
            }
            var context = new double[s][];
            for (int i = 0; i < s; i++)
            {
                context[i] = new double[heads * d];
                for (int head = 0; head < heads; head++)
                {
                    int kvHead = head / (heads / kvHeads);
                    var scores = new double[i + 1];
                    for (int j = 0; j <= i; j++)
                    {
                        double dot = 0;
                        for (int c = 0; c < d; c++)
                        {
                            dot += q[i][head * d + c] * k[j][kvHead * d + c];
                        }
                        scores[j] = dot / Math.Sqrt(d);
                    }
                    double max = scores.Max(), sum = 0;
                    for (int j = 0; j <= i; j++)
                    {
                        scores[j] = Math.Exp(scores[j] - max);
                        sum += scores[j];
                    }
                    for (int j = 0; j <= i; j++)
                    {
                        for (int c = 0; c < d; c++)
                        {
                            context[i][head * d + c] += scores[j] / sum * v[j][kvHead * d + c];
                        }
                    }
                }
            }
            for (int i = 0; i < s; i++)
            {
                Add(h[i], Linear(context[i], p + "self_attn.o_proj", hidden, heads * d, bias: false));
                var n = Norm(h[i], Weight(p + "post_attention_layernorm.weight", hidden));
                var gate = Linear(n, p + "mlp.gate_proj", _text.IntermediateSize, hidden, bias: false);
                var up = Linear(n, p + "mlp.up_proj", _text.IntermediateSize, hidden, bias: false);
                for (int c = 0; c < gate.Length; c++)
                {
                    gate[c] = gate[c] / (1 + Math.Exp(-gate[c])) * up[c];
                }
                Add(h[i], Linear(gate, p + "mlp.down_proj", hidden, _text.IntermediateSize, bias: false));
            }
        }
        var last = Norm(h[^1], Weight("model.norm.weight", hidden));
        return Linear(last, _text.TieWordEmbeddings ? "model.embed_tokens" : "lm_head", _text.VocabSize, hidden, bias: false);
    }

    /// <summary>Per token: cos/sin of its angles, frequency j taking its position from axis t, h or w by mrope_section.</summary>
    private (double[][] Cos, double[][] Sin) Rotary(IReadOnlyList<long> positions, int s)
    {
        int half = _text.HeadSize / 2;
        var axis = new int[half];
        for (int j = 0, a = 0, start = 0; j < half; j++)
        {
            while (j >= start + _text.MropeSection[a])
            {
                start += _text.MropeSection[a++];
            }
            axis[j] = a;
        }
        var cos = new double[s][];
        var sin = new double[s][];
        for (int i = 0; i < s; i++)
        {
            cos[i] = new double[half];
            sin[i] = new double[half];
            for (int j = 0; j < half; j++)
            {
                double inverseFrequency = 1.0 / Math.Pow(_text.RopeTheta, 2.0 * j / _text.HeadSize);
                double angle = positions[axis[j] * s + i] * inverseFrequency;
                (cos[i][j], sin[i][j]) = (Math.Cos(angle), Math.Sin(angle));
            }
        }
        return (cos, sin);
    }

    /// <summary>x·cos + rotate_half(x)·sin per head (non-interleaved halves).</summary>
    private void Rotate(double[] x, int heads, double[] cos, double[] sin)
    {
        int d = _text.HeadSize, half = d / 2;
        for (int head = 0; head < heads; head++)
        {
            for (int j = 0; j < half; j++)
            {
                double a = x[head * d + j], b = x[head * d + j + half];
                x[head * d + j] = a * cos[j] - b * sin[j];
                x[head * d + j + half] = b * cos[j] + a * sin[j];
            }
        }
    }

    private double[] Norm(double[] x, double[] weight)
    {
        double mean = x.Sum(v => v * v) / x.Length;
        double scale = 1 / Math.Sqrt(mean + _text.RmsNormEpsilon);
        return x.Select((v, i) => v * scale * weight[i]).ToArray();
    }

    private double[] Linear(double[] x, string name, int outputs, int inputs, bool bias)
    {
        var w = Weight(name + ".weight", outputs, inputs);
        var b = bias ? Weight(name + ".bias", outputs) : null;
        var y = new double[outputs];
        for (int o = 0; o < outputs; o++)
        {
            double sum = b?[o] ?? 0;
            for (int i = 0; i < inputs; i++)
            {
                sum += w[(long)o * inputs + i] * x[i];
            }
            y[o] = sum;
        }
        return y;
    }

    private static void Add(double[] target, double[] value)
    {
        for (int i = 0; i < target.Length; i++)
        {
            target[i] += value[i];
        }
    }

    private double[] Weight(string name, params long[] shape)
    {
        if (!_weights.TryGetValue(name, out var values))
        {
            values = [.. checkpoint.ReadFloat32(name, shape).Select(v => (double)v)];
            _weights[name] = values;
        }
        return values;
    }
}
