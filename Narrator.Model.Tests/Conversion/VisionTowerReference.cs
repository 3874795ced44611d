using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Conversion;

/// <summary>
/// transformers 4.50's <c>Qwen2_5_VisionTransformerPretrainedModel.forward</c> written out plainly in C#, sharing no code
/// with the converter or the runtime tables: its own port of get_window_index (padding with -100) and rot_pos_emb, and
/// attention computed segment by segment from cu_seqlens. Slow and simple; it is checked against hf-tiny's
/// intermediates, then judges configurations transformers did not compute. With <c>bf16</c> every op's output is rounded
/// to bfloat16 where the bf16 graph rounds it, which measures the error that precision costs.
/// </summary>
internal sealed class VisionTowerReference(HfCheckpoint checkpoint, bool bf16 = false)
{
    private readonly Qwen25VlVisionConfig _vision = checkpoint.Config.Vision;

    /// <summary>Per block, the hidden rows after it, in window order (like hf-tiny's block_outputs).</summary>
    public List<float[]> BlockOutputs { get; } = [];

    public float[]? PatchEmbedOut { get; private set; }

    public float[] Forward(float[] pixels, IReadOnlyList<GridThw> grids)
    {
        var v = _vision;
        int width = v.HiddenSize, heads = v.Heads, head = v.HeadSize, unit = v.SpatialMergeSize * v.SpatialMergeSize;
        int n = grids.Sum(g => g.PatchCount);
        BlockOutputs.Clear();

        var x = Linear(Round(pixels), n, v.PatchInputSize, "visual.patch_embed.proj", width, bias: false,
            [width, v.InChannels, v.TemporalPatchSize, v.PatchSize, v.PatchSize]);
        PatchEmbedOut = x;
        var rotary = RotPosEmb(grids);
        var (windowIndex, cuWindow) = GetWindowIndex(grids);
        x = TakeGroups(x, windowIndex, unit, width);
        rotary = TakeGroups(rotary, windowIndex, unit, head / 2);
        var cuFull = new List<int> { 0 };
        foreach (var g in grids)
        {
            for (int t = 0; t < g.T; t++)
            {
                cuFull.Add(cuFull[^1] + g.H * g.W);
            }
        }

        for (int block = 0; block < v.Depth; block++)
        {
            string p = $"visual.blocks.{block}";
            var segments = v.FullAttentionBlocks.Contains(block) ? cuFull : cuWindow;
            var attended = Attention(RmsNorm(x, n, $"{p}.norm1"), n, p, segments, rotary, heads, head);
            x = Round(Add(x, attended));
            var normed = RmsNorm(x, n, $"{p}.norm2");
            var gate = Linear(normed, n, width, $"{p}.mlp.gate_proj", v.IntermediateSize, bias: true);
            var up = Linear(normed, n, width, $"{p}.mlp.up_proj", v.IntermediateSize, bias: true);
            var product = new float[gate.Length];
            for (int i = 0; i < gate.Length; i++)
            {
                float sigmoid = R((float)(1 / (1 + Math.Exp(-gate[i]))));
                product[i] = R(R(gate[i] * sigmoid) * up[i]);
            }
            x = Round(Add(x, Linear(product, n, v.IntermediateSize, $"{p}.mlp.down_proj", width, bias: true)));
            BlockOutputs.Add(x);
        }

        int merged = width * unit, tokens = n / unit;
        var hidden = Linear(RmsNorm(x, n, "visual.merger.ln_q"), tokens, merged, "visual.merger.mlp.0", merged, bias: true);
        for (int i = 0; i < hidden.Length; i++)
        {
            hidden[i] = R((float)(hidden[i] * 0.5 * (1 + Erf(hidden[i] / Math.Sqrt(2)))));
        }
        var output = Linear(hidden, tokens, merged, "visual.merger.mlp.2", v.OutHiddenSize, bias: true);
        var reversed = new float[output.Length];
        for (int i = 0; i < tokens; i++)
        {
            Array.Copy(output, (long)i * v.OutHiddenSize, reversed, windowIndex[i] * v.OutHiddenSize, v.OutHiddenSize);
        }
        return reversed;
    }

    private float[] Attention(float[] x, int n, string prefix, List<int> segments, float[] rotary, int heads, int head)
    {
        int width = heads * head, half = head / 2;
        var qkv = Linear(x, n, width, $"{prefix}.attn.qkv", 3 * width, bias: true);
        var q = new float[n * width];
        var k = new float[n * width];
        var value = new float[n * width];
        for (int row = 0; row < n; row++)
        {
            for (int h = 0; h < heads; h++)
            {
                for (int d = 0; d < head; d++)
                {
                    // reshape(N, 3, heads, head): q, k, v blocks of the qkv row, head-major inside each.
                    int j = d < half ? d : d - half;
                    double angle = rotary[row * half + j];
                    float cos = (float)Math.Cos(angle), sin = (float)Math.Sin(angle);
                    int at = row * 3 * width + h * head;
                    float qd = qkv[at + d], kd = qkv[at + width + d];
                    float qr = d < half ? -qkv[at + d + half] : qkv[at + d - half];
                    float kr = d < half ? -qkv[at + width + d + half] : qkv[at + width + d - half];
                    q[row * width + h * head + d] = R(qd * cos + qr * sin);
                    k[row * width + h * head + d] = R(kd * cos + kr * sin);
                    value[row * width + h * head + d] = qkv[at + 2 * width + d];
                }
            }
        }
        var output = new float[n * width];
        double scale = 1 / Math.Sqrt(head);
        for (int s = 1; s < segments.Count; s++)
        {
            int start = segments[s - 1], end = segments[s];
            var scores = new double[end - start];
            for (int h = 0; h < heads; h++)
            {
                for (int i = start; i < end; i++)
                {
                    double max = double.NegativeInfinity;
                    for (int j = start; j < end; j++)
                    {
                        double dot = 0;
                        for (int d = 0; d < head; d++)
                        {
                            dot += (double)q[i * width + h * head + d] * k[j * width + h * head + d];
                        }
                        scores[j - start] = dot * scale;
                        max = Math.Max(max, scores[j - start]);
                    }
                    double sum = 0;
                    for (int j = 0; j < scores.Length; j++)
                    {
                        scores[j] = Math.Exp(scores[j] - max);
                        sum += scores[j];
                    }
                    for (int d = 0; d < head; d++)
                    {
                        double acc = 0;
                        for (int j = start; j < end; j++)
                        {
                            acc += scores[j - start] / sum * value[j * width + h * head + d];
                        }
                        output[i * width + h * head + d] = R((float)acc);
                    }
                }
            }
        }
        return Linear(output, n, width, $"{prefix}.attn.proj", width, bias: true);
    }

    private float[] RmsNorm(float[] x, int rows, string name)
    {
        int width = x.Length / rows;
        var weight = checkpoint.ReadFloat32($"{name}.weight", _vision.HiddenSize);
        var y = new float[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int c = 0; c < width; c++)
            {
                sum += (double)x[r * width + c] * x[r * width + c];
            }
            double inverse = 1 / Math.Sqrt(sum / width + 1e-6);
            for (int c = 0; c < width; c++)
            {
                y[r * width + c] = R((float)(x[r * width + c] * inverse) * weight[c]);
            }
        }
        return y;
    }

    private float[] Linear(float[] x, int rows, int inputs, string name, int outputs, bool bias, long[]? storedShape = null)
    {
        var weight = checkpoint.ReadFloat32($"{name}.weight", storedShape ?? [outputs, inputs]);
        var b = bias ? checkpoint.ReadFloat32($"{name}.bias", outputs) : null;
        var y = new float[(long)rows * outputs];
        Parallel.For(0, rows, r =>
        {
            for (int o = 0; o < outputs; o++)
            {
                double acc = b?[o] ?? 0;
                for (int i = 0; i < inputs; i++)
                {
                    acc += (double)x[(long)r * inputs + i] * weight[(long)o * inputs + i];
                }
                y[(long)r * outputs + o] = R((float)acc);
            }
        });
        return y;
    }

    /// <summary>rot_pos_emb: (row, column) of each patch in processor order, times inv_freq, repeated per frame group.</summary>
    private float[] RotPosEmb(IReadOnlyList<GridThw> grids)
    {
        int m = _vision.SpatialMergeSize, dim = _vision.HeadSize / 2;
        var inverse = Enumerable.Range(0, dim / 2).Select(j => (float)(1.0 / Math.Pow(10000, 2.0 * j / dim))).ToArray();
        var rows = new List<float>();
        foreach (var g in grids)
        {
            for (int t = 0; t < g.T; t++)
            {
                // hpos.reshape(h/m, m, w/m, m).permute(0, 2, 1, 3).flatten()
                for (int a = 0; a < g.H / m; a++)
                {
                    for (int b = 0; b < g.W / m; b++)
                    {
                        for (int c = 0; c < m; c++)
                        {
                            for (int d = 0; d < m; d++)
                            {
                                rows.AddRange(inverse.Select(f => (a * m + c) * f));
                                rows.AddRange(inverse.Select(f => (b * m + d) * f));
                            }
                        }
                    }
                }
            }
        }
        return [.. rows];
    }

    /// <summary>get_window_index: pad each frame's merged grid with -100 to whole windows, read window by window, drop the pads.</summary>
    private (long[] WindowIndex, List<int> CuWindow) GetWindowIndex(IReadOnlyList<GridThw> grids)
    {
        int m = _vision.SpatialMergeSize, size = _vision.WindowUnits, unit = m * m;
        var index = new List<long>();
        var cu = new List<int> { 0 };
        long offset = 0;
        foreach (var g in grids)
        {
            int lh = g.H / m, lw = g.W / m;
            int padH = size - lh % size, padW = size - lw % size;
            int nh = (lh + padH) / size, nw = (lw + padW) / size;
            for (int t = 0; t < g.T; t++)
            {
                var padded = new long[lh + padH, lw + padW];
                for (int r = 0; r < lh + padH; r++)
                {
                    for (int c = 0; c < lw + padW; c++)
                    {
                        padded[r, c] = r < lh && c < lw ? (long)t * lh * lw + r * lw + c : -100;
                    }
                }
                for (int wr = 0; wr < nh; wr++)
                {
                    for (int wc = 0; wc < nw; wc++)
                    {
                        int count = 0;
                        for (int r = 0; r < size; r++)
                        {
                            for (int c = 0; c < size; c++)
                            {
                                long value = padded[wr * size + r, wc * size + c];
                                if (value != -100)
                                {
                                    index.Add(value + offset);
                                    count++;
                                }
                            }
                        }
                        if (count > 0)
                        {
                            // unique_consecutive removes the boundary an empty window would repeat.
                            cu.Add(cu[^1] + count * unit);
                        }
                    }
                }
            }
            offset += (long)g.T * lh * lw;
        }
        return ([.. index], cu);
    }

    private static float[] TakeGroups(float[] rows, long[] index, int unit, int width)
    {
        var taken = new float[rows.Length];
        for (int i = 0; i < index.Length; i++)
        {
            Array.Copy(rows, index[i] * unit * width, taken, (long)i * unit * width, unit * width);
        }
        return taken;
    }

    private static float[] Add(float[] a, float[] b) => a.Zip(b, (x, y) => x + y).ToArray();

    private float[] Round(float[] values) => bf16 ? values.Select(R).ToArray() : values;

    private float R(float value) => bf16 ? BitConverter.UInt32BitsToSingle((uint)TensorConversion.ToBFloat16Bits(value) << 16) : value;

    /// <summary>erf to about 1e-12 (.NET has none): Taylor series below 3, erfc's continued fraction above.</summary>
    private static double Erf(double x)
    {
        double ax = Math.Abs(x);
        double result;
        if (ax < 3)
        {
            double term = ax, sum = ax;
            for (int k = 1; k < 100; k++)
            {
                term *= -ax * ax / k;
                double add = term / (2 * k + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17)
                {
                    break;
                }
            }
            result = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            double fraction = 0;
            for (int k = 60; k >= 1; k--)
            {
                fraction = k / 2.0 / (ax + fraction);
            }
            result = 1 - Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / (ax + fraction);
        }
        return x < 0 ? -result : result;
    }
}
