using Narrator.Model.Onnx;
using Narrator.Model.Onnx.Proto;
using Narrator.Model.Onnx.Graphs;
using static Narrator.Model.Onnx.Graphs.OnnxGraphBuilder;
using DataType = Narrator.Model.Onnx.Proto.TensorProto.Types.DataType;

namespace Narrator.Model.Synthetic;

/// <summary>
/// A small vision tower: linear patch embedding plus a sinusoidal (t, row, col) position term computed from
/// image_grid_thw, then Qwen2.5-VL's merger (2x2 merge of consecutive patch rows, RMSNorm, MLP) to [N/4, hidden].
/// </summary>
internal static class TinyVisionGraph
{
    public static ModelProto Build(TinyModelSpec spec, GenAiVisionConfig names, WeightRandom random, IReadOnlyDictionary<string, string> metadata)
    {
        var g = new OnnxGraphBuilder("tiny_qwen2_5_vl_vision");
        int width = spec.VisionWidth, merged = 4 * spec.VisionWidth, patchInput = spec.PatchInputSize;

        string pixels = g.Input(names.Inputs.PixelValues, DataType.Float, "num_patches", patchInput);
        string grid = g.Input(names.Inputs.ImageGridThw!, DataType.Int64, "num_images", 3);

        string patches = g.Add(
            g.MatMul(pixels, g.Floats("patch_embed.weight", random.Normal(patchInput * width, 1f / MathF.Sqrt(patchInput)), patchInput, width)),
            g.Floats("patch_embed.bias", random.Normal(width, 0.1f), width));
        string coordinates = PatchCoordinates(g, pixels, grid);
        string positionTerm = g.Node("Sin", [g.MatMul(coordinates, g.Floats("position.frequencies", random.Uniform(3 * width, 0.05f, 1.5f), 3, width))]);
        string x = g.Add(patches, g.Mul(positionTerm, g.FloatScalar(0.5f)));

        // Patch rows already come in 2x2 merge-window order, so four consecutive rows form one merged token.
        string windows = g.Reshape(x, -1, merged);
        string normed = g.RmsNorm(windows, g.Floats("merger.norm", random.Normal(merged, 0.1f, 1f), merged), spec.RmsNormEpsilon);
        string fc1 = g.Add(g.MatMul(normed, g.Floats("merger.fc1.weight", random.Normal(merged * merged, 1f / MathF.Sqrt(merged)), merged, merged)),
            g.Floats("merger.fc1.bias", random.Normal(merged, 0.1f), merged));
        string gelu = g.Mul(g.Mul(fc1, g.FloatScalar(0.5f)),
            g.Add(g.Node("Erf", [g.Mul(fc1, g.FloatScalar(1f / MathF.Sqrt(2f)))]), g.FloatScalar(1f)));
        string features = g.Add(
            g.MatMul(gelu, g.Floats("merger.fc2.weight", random.Normal(merged * spec.HiddenSize, 1.5f / MathF.Sqrt(merged)), merged, spec.HiddenSize)),
            g.Floats("merger.fc2.bias", random.Normal(spec.HiddenSize, 0.1f), spec.HiddenSize));

        g.Output(features, names.Outputs.ImageFeatures, DataType.Float, "num_image_tokens", spec.HiddenSize);
        return g.ToModel(metadata, TinyModelWriter.ProducerName);
    }

    /// <summary>
    /// (t, row, col) of every patch row as floats [N,3], decoding the merge-window order
    /// index = ((t*H/2 + row/2)*W/2 + col/2)*4 + (row%2)*2 + col%2 with H, W from the first grid row.
    /// </summary>
    private static string PatchCoordinates(OnnxGraphBuilder g, string pixels, string grid)
    {
        string firstGrid = g.Gather(grid, g.Int64Scalar(0), 0);
        string two = g.Int64Scalar(2);
        string halfHeight = g.Div(g.Gather(firstGrid, g.Int64Scalar(1), 0), two);
        string halfWidth = g.Div(g.Gather(firstGrid, g.Int64Scalar(2), 0), two);
        string index = g.Node("Range", [g.Int64Scalar(0), g.Squeeze(g.ShapeOf(pixels, 0, 1), 0), g.Int64Scalar(1)]);

        string column = g.Node("Mod", [index, two]);
        string rowInWindow = g.Node("Mod", [g.Div(index, two), two]);
        string window = g.Div(index, g.Int64Scalar(4));
        string windowColumn = g.Node("Mod", [window, halfWidth]);
        string windowRows = g.Div(window, halfWidth);
        string windowRow = g.Node("Mod", [windowRows, halfHeight]);
        string time = g.Div(windowRows, halfHeight);

        string row = g.Add(g.Mul(windowRow, two), rowInWindow);
        string col = g.Add(g.Mul(windowColumn, two), column);
        string stacked = g.Concat(1, g.Unsqueeze(time, 1), g.Unsqueeze(row, 1), g.Unsqueeze(col, 1));
        return g.Cast(stacked, DataType.Float);
    }
}
