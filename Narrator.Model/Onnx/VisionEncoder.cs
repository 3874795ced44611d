using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model.Vision;

namespace Narrator.Model.Onnx;

/// <summary>
/// Runs the vision graph: pixel_values [N, 1176] of one or more grids to image_features [N/4, hidden], tokens in the
/// grids' order. A graph fed with grid tables (Narrator's converter) is run a few frame groups at a time under the
/// package's vision memory budget, each run writing straight into its rows of the result; a graph fed with
/// image_grid_thw is run once on everything.
/// </summary>
public static class VisionEncoder
{
    internal static OrtValue Encode(ModelPackage package, float[] pixelValues, GridThw grid, RunOptions runOptions) =>
        Encode(package, pixelValues, [grid], runOptions);

    internal static OrtValue Encode(ModelPackage package, float[] pixelValues, IReadOnlyList<GridThw> grids, RunOptions runOptions) =>
        Encode(package.Vision, package.Config.Model.Vision, package.VisionMemoryBudgetBytes, pixelValues, grids, runOptions);

    /// <summary>
    /// Encodes <paramref name="pixelValues"/> (the grids' patch rows one grid after another) with a vision session
    /// described by <paramref name="vision"/>; the caller disposes the returned [tokens, out_hidden_size] value.
    /// </summary>
    public static OrtValue Encode(InferenceSession session, GenAiVisionConfig vision, long memoryBudgetBytes, float[] pixelValues,
        IReadOnlyList<GridThw> grids, RunOptions runOptions)
    {
        if (grids.Count == 0)
        {
            throw new ArgumentException("At least one grid is needed.", nameof(grids));
        }
        long patches = grids.Sum(g => (long)g.PatchCount);
        long rowLength = pixelValues.LongLength / Math.Max(1, patches);
        if (patches == 0 || rowLength * patches != pixelValues.LongLength)
        {
            throw new ArgumentException(
                $"pixel_values holds {pixelValues.LongLength} values, not a multiple of the grids' {patches} patches.", nameof(pixelValues));
        }
        return vision.TakesGridTables
            ? EncodeInRuns(session, vision, memoryBudgetBytes, pixelValues, grids, (int)rowLength, runOptions)
            : EncodeWithGrid(session, vision, pixelValues, grids, rowLength, runOptions);
    }

    /// <summary>The runs a call is split into under <paramref name="memoryBudgetBytes"/>.</summary>
    public static IReadOnlyList<VisionRun> PlanRuns(GenAiVisionConfig vision, long memoryBudgetBytes, IReadOnlyList<GridThw> grids) =>
        VisionRunPlan.Split(grids, VisionRunPlan.MaxPatchesPerRun(vision, memoryBudgetBytes), vision.SpatialMergeSize * vision.SpatialMergeSize);

    private static OrtValue EncodeInRuns(InferenceSession session, GenAiVisionConfig vision, long memoryBudgetBytes, float[] pixelValues,
        IReadOnlyList<GridThw> grids, int rowLength, RunOptions runOptions)
    {
        var geometry = new VisionTowerGeometry(vision.SpatialMergeSize, vision.WindowUnits, vision.HeadSize, vision.RopeTheta);
        int outWidth = vision.OutHiddenSize;
        long tokens = grids.Sum(g => (long)g.PatchCount) / geometry.MergeUnit;
        var features = new float[checked(tokens * outWidth)];
        var names = vision.Inputs;
        string[] inputNames =
        [
            names.PixelValues, names.PatchOrder!, names.RotaryCos!, names.RotarySin!, names.WindowPadIndex!, names.WindowLengths!,
            names.WindowUnpadIndex!, names.FrameGroups!, names.MergeReverseIndex!,
        ];
        foreach (var run in PlanRuns(vision, memoryBudgetBytes, grids))
        {
            var tables = VisionTowerTables.Build(run.Grids, geometry);
            int runTokens = tables.TokenCount;
            using var pixels = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                new Memory<float>(pixelValues, run.FirstPatch * rowLength, run.PatchCount * rowLength), [run.PatchCount, rowLength]);
            using var order = OrtValue.CreateTensorValueFromMemory(tables.PatchOrder, [tables.PatchOrder.Length]);
            using var cos = OrtValue.CreateTensorValueFromMemory(tables.RotaryCos, [run.PatchCount, geometry.RotaryWidth]);
            using var sin = OrtValue.CreateTensorValueFromMemory(tables.RotarySin, [run.PatchCount, geometry.RotaryWidth]);
            using var padIndex = OrtValue.CreateTensorValueFromMemory(tables.WindowPadIndex, [tables.WindowCount, geometry.WindowSlots]);
            using var lengths = OrtValue.CreateTensorValueFromMemory(tables.WindowLengths, [tables.WindowCount]);
            using var unpad = OrtValue.CreateTensorValueFromMemory(tables.WindowUnpadIndex, [tables.WindowUnpadIndex.Length]);
            using var groups = OrtValue.CreateTensorValueFromMemory(tables.FrameGroups, [2]);
            using var reverse = OrtValue.CreateTensorValueFromMemory(tables.MergeReverseIndex, [runTokens]);
            using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                new Memory<float>(features, run.FirstToken * outWidth, runTokens * outWidth), [runTokens, outWidth]);
            session.Run(runOptions, inputNames, [pixels, order, cos, sin, padIndex, lengths, unpad, groups, reverse],
                [vision.Outputs.ImageFeatures], [output]);
        }
        return OrtValue.CreateTensorValueFromMemory(features, [tokens, outWidth]);
    }

    private static OrtValue EncodeWithGrid(InferenceSession session, GenAiVisionConfig vision, float[] pixelValues,
        IReadOnlyList<GridThw> grids, long rowLength, RunOptions runOptions)
    {
        var names = vision.Inputs;
        long[] pixelShape = [pixelValues.LongLength / rowLength, rowLength];
        using var pixels = session.InputMetadata[names.PixelValues].ElementDataType == TensorElementType.Float16
            ? OrtValue.CreateTensorValueFromMemory(ToHalf(pixelValues), pixelShape)
            : OrtValue.CreateTensorValueFromMemory(pixelValues, pixelShape);
        using var gridValue = OrtValue.CreateTensorValueFromMemory(grids.SelectMany(g => new long[] { g.T, g.H, g.W }).ToArray(), [grids.Count, 3]);
        // The single output is handed to the caller, who disposes it; the list itself holds nothing else.
        var outputs = session.Run(runOptions, [names.PixelValues, names.ImageGridThw!], [pixels, gridValue],
            [vision.Outputs.ImageFeatures]);
        return outputs[0];
    }

    private static Float16[] ToHalf(float[] values)
    {
        var half = new Float16[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            half[i] = (Float16)values[i];
        }
        return half;
    }
}
