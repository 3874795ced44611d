using Narrator.Model.Media;

namespace Narrator.Model.Vision;

/// <summary>
/// Qwen2-VL's <c>smart_resize</c>: the frame size closest to the original whose sides are multiples of 28
/// (patch 14 x merge 2) and whose area lies within the pixel bounds, keeping the aspect ratio.
/// Arithmetic follows the Python reference step by step (doubles, round half to even) so results match exactly.
/// </summary>
public static class SmartResize
{
    public const int Factor = GridThw.PatchSize * GridThw.MergeSize;

    public const double MaxAspectRatio = 200;

    /// <summary>Resized (height, width) for a frame of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public static (int Height, int Width) Compute(int height, int width, double minPixels, double maxPixels, int factor = Factor)
    {
        if (height <= 0 || width <= 0)
        {
            throw new MediaException($"A frame of {width}x{height} pixels has no area.");
        }
        if ((double)Math.Max(height, width) / Math.Min(height, width) > MaxAspectRatio)
        {
            throw new MediaException(
                $"A {width}x{height} frame has an aspect ratio over the limit of {MaxAspectRatio:0}:1.");
        }

        var hBar = Math.Max(factor, RoundByFactor(height, factor));
        var wBar = Math.Max(factor, RoundByFactor(width, factor));
        if ((double)hBar * wBar > maxPixels)
        {
            var beta = Math.Sqrt(height * (double)width / maxPixels);
            hBar = Math.Max(factor, FloorByFactor(height / beta, factor));
            wBar = Math.Max(factor, FloorByFactor(width / beta, factor));
        }
        else if ((double)hBar * wBar < minPixels)
        {
            var beta = Math.Sqrt(minPixels / (height * (double)width));
            hBar = CeilByFactor(height * beta, factor);
            wBar = CeilByFactor(width * beta, factor);
        }
        return (hBar, wBar);
    }

    private static int RoundByFactor(double value, int factor) => (int)Math.Round(value / factor, MidpointRounding.ToEven) * factor;

    private static int FloorByFactor(double value, int factor) => (int)Math.Floor(value / factor) * factor;

    private static int CeilByFactor(double value, int factor) => (int)Math.Ceiling(value / factor) * factor;
}
