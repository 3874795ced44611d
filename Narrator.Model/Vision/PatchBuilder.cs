using System.Runtime.CompilerServices;
using Narrator.Model.Media;

namespace Narrator.Model.Vision;

/// <summary>
/// Turns RGB24 frames into Qwen2-VL <c>pixel_values [T*H*W, 1176]</c>: rescale 1/255, CLIP mean/std normalisation, then
/// <c>view(gt,2,3,gh/2,2,14,gw/2,2,14).permute(0,3,6,4,7,2,1,5,8)</c>. A lookup table maps each byte to its normalised
/// float per channel, so the hot loop is a gather with no arithmetic (raw pointers: the bounds are checked once up front).
/// </summary>
public static class PatchBuilder
{
    /// <summary>Floats per patch row: 3 channels x 2 frames x 14 x 14.</summary>
    public const int PatchDim = 3 * GridThw.TemporalPatchSize * GridThw.PatchSize * GridThw.PatchSize;

    public static ReadOnlySpan<float> Mean => [0.48145466f, 0.4578275f, 0.40821073f];

    public static ReadOnlySpan<float> Std => [0.26862954f, 0.26130258f, 0.27577711f];

    private const int Patch = GridThw.PatchSize;
    private const int PatchArea = Patch * Patch;
    private const int TemporalArea = GridThw.TemporalPatchSize * PatchArea;

    private static readonly float[] Lut = BuildLut();

    /// <summary>Patches the decoded frames (a still, or an odd count, repeats its last frame to fill the temporal pair).</summary>
    public static (float[] PixelValues, GridThw Grid) Build(DecodedFrames frames) =>
        Build(frames.Rgb24, frames.Count, frames.Height, frames.Width);

    /// <param name="rgb24">Frames one after another, each <paramref name="height"/> rows of <paramref name="width"/> RGB pixels.</param>
    public static (float[] PixelValues, GridThw Grid) Build(byte[] rgb24, int frameCount, int height, int width)
    {
        const int block = GridThw.PatchSize * GridThw.MergeSize;
        if (frameCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(frameCount), frameCount, "At least one frame is needed.");
        }
        if (height <= 0 || width <= 0 || height % block != 0 || width % block != 0)
        {
            throw new ArgumentException($"Frame size {width}x{height} is not a positive multiple of {block}; plan it with SmartResize.");
        }
        if (rgb24.Length < (long)frameCount * height * width * 3)
        {
            throw new ArgumentException($"{rgb24.Length} bytes cannot hold {frameCount} frames of {width}x{height} RGB24.", nameof(rgb24));
        }

        var grid = new GridThw(
            (frameCount + GridThw.TemporalPatchSize - 1) / GridThw.TemporalPatchSize,
            height / Patch,
            width / Patch);
        var output = LargeArray.Allocate<float>(checked(grid.PatchCount * PatchDim));
        var blockRows = grid.H / GridThw.MergeSize;

        // One work item per (temporal group, row of 2x2 merge blocks): enough items to balance, each writes a disjoint range.
        Parallel.For(0, grid.T * blockRows, item =>
            FillBlockRow(rgb24, output, frameCount, height, width, grid, item / blockRows, item % blockRows));
        return (output, grid);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FillBlockRow(byte[] rgb24, float[] output, int frameCount, int height, int width, GridThw grid, int group, int blockRow)
    {
        var blockCols = grid.W / GridThw.MergeSize;
        var blockRows = grid.H / GridThw.MergeSize;
        var frameBytes = height * width * 3;
        var rowStride = width * 3;

        fixed (byte* frames = rgb24)
        fixed (float* outputStart = output)
        fixed (float* lut = Lut)
        {
            float* redLut = lut, greenLut = lut + 256, blueLut = lut + 512;
            for (var blockCol = 0; blockCol < blockCols; blockCol++)
            {
                for (var mergeRow = 0; mergeRow < GridThw.MergeSize; mergeRow++)
                {
                    for (var mergeCol = 0; mergeCol < GridThw.MergeSize; mergeCol++)
                    {
                        var row = ((group * blockRows + blockRow) * blockCols + blockCol) * 4 + mergeRow * 2 + mergeCol;
                        var red = outputStart + (long)row * PatchDim;
                        var y0 = (blockRow * GridThw.MergeSize + mergeRow) * Patch;
                        var x0 = (blockCol * GridThw.MergeSize + mergeCol) * Patch;

                        for (var t = 0; t < GridThw.TemporalPatchSize; t++)
                        {
                            var frame = Math.Min(group * GridThw.TemporalPatchSize + t, frameCount - 1);
                            var frameStart = frames + (long)frame * frameBytes + x0 * 3;
                            for (var py = 0; py < Patch; py++)
                            {
                                var source = frameStart + (long)(y0 + py) * rowStride;
                                var r = red + t * PatchArea + py * Patch;
                                var g = r + TemporalArea;
                                var b = g + TemporalArea;
                                for (var px = 0; px < Patch; px++, source += 3)
                                {
                                    r[px] = redLut[source[0]];
                                    g[px] = greenLut[source[1]];
                                    b[px] = blueLut[source[2]];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] BuildLut()
    {
        var lut = new float[3 * 256];
        for (var c = 0; c < 3; c++)
        {
            for (var v = 0; v < 256; v++)
            {
                // Same float32 order as the reference: v * (1/255), minus mean, divided by std.
                lut[c * 256 + v] = (v * (1f / 255f) - Mean[c]) / Std[c];
            }
        }
        return lut;
    }
}
