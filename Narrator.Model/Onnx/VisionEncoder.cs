using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model.Vision;

namespace Narrator.Model.Onnx;

/// <summary>Runs the vision graph: pixel_values [N,1176] + image_grid_thw [1,3] to image_features [N/4, hidden].</summary>
internal static class VisionEncoder
{
    public static OrtValue Encode(ModelPackage package, float[] pixelValues, GridThw grid, RunOptions runOptions)
    {
        var names = package.Config.Model.Vision;
        int rowLength = pixelValues.Length / grid.PatchCount;
        if (rowLength * grid.PatchCount != pixelValues.Length)
        {
            throw new ArgumentException($"pixel_values holds {pixelValues.Length} values, not a multiple of the grid's {grid.PatchCount} patches.", nameof(pixelValues));
        }
        long[] pixelShape = [grid.PatchCount, rowLength];
        using var pixels = package.Vision.InputMetadata[names.Inputs.PixelValues].ElementDataType == TensorElementType.Float16
            ? OrtValue.CreateTensorValueFromMemory(ToHalf(pixelValues), pixelShape)
            : OrtValue.CreateTensorValueFromMemory(pixelValues, pixelShape);
        using var gridValue = OrtValue.CreateTensorValueFromMemory(new long[] { grid.T, grid.H, grid.W }, [1, 3]);
        // The single output is handed to the caller, who disposes it; the list itself holds nothing else.
        var outputs = package.Vision.Run(runOptions, [names.Inputs.PixelValues, names.Inputs.ImageGridThw], [pixels, gridValue],
            [names.Outputs.ImageFeatures]);
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
