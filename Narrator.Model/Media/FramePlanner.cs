using Narrator.Model.Vision;

namespace Narrator.Model.Media;

/// <summary>
/// Decides which frames the model sees and at what size, following qwen-vl-utils (<c>smart_nframes</c>,
/// the float32 <c>linspace</c> sampling, the video pixel budget) and the Qwen2-VL image processor for stills.
/// </summary>
public static class FramePlanner
{
    public const int FrameFactor = GridThw.TemporalPatchSize;
    public const int MaxFramesCap = 768;
    public const int ImageMinPixels = 4 * 28 * 28;
    public const int ImageMaxPixels = 16384 * 28 * 28;
    public const int VideoMinPixels = 128 * 28 * 28;
    public const int VideoMaxPixels = 768 * 28 * 28;

    /// <summary>The whole-clip pixel budget, <c>int(128000*28*28*0.9)</c>, shared by all sampled frames.</summary>
    public const int VideoTotalPixels = 90_316_800;

    /// <summary>Plans a probed file: a video by its frame count and rate, a still by its size.</summary>
    public static FramePlan Plan(MediaProbe probe, FrameOptions options) => probe.Kind == MediaKind.Image
        ? PlanImage(probe.Width, probe.Height, options)
        : PlanVideo(probe.FrameCount, probe.AverageFps, probe.Width, probe.Height, options);

    public static FramePlan PlanVideo(int totalFrames, double videoFps, int width, int height, FrameOptions options)
    {
        Validate(options);
        if (totalFrames < FrameFactor)
        {
            throw new MediaException($"A video needs at least {FrameFactor} frames to be sampled; this one has {totalFrames}.");
        }
        if (!double.IsFinite(videoFps) || videoFps <= 0)
        {
            throw new MediaException($"The video frame rate must be a positive number (got {videoFps}).");
        }

        var nframes = SmartNFrames(totalFrames, videoFps, options);
        var indices = SampleIndices(totalFrames, nframes);
        var sampleFps = nframes / (double)totalFrames * videoFps;

        var minPixels = (double)(options.MinPixels ?? VideoMinPixels);
        var maxPixels = Math.Max(Math.Min(VideoMaxPixels, VideoTotalPixels / (double)nframes * FrameFactor), Math.Truncate(minPixels * 1.05));
        if (options.MaxPixels is { } requested)
        {
            maxPixels = Math.Min(requested, maxPixels);
        }
        var (resizedHeight, resizedWidth) = SmartResize.Compute(height, width, minPixels, maxPixels);

        return new FramePlan
        {
            Kind = MediaKind.Video,
            NFrames = nframes,
            Indices = indices,
            SampleFps = sampleFps,
            SecondPerGridT = GridThw.TemporalPatchSize / sampleFps,
            ResizedWidth = resizedWidth,
            ResizedHeight = resizedHeight,
            Grid = new GridThw(nframes / GridThw.TemporalPatchSize, resizedHeight / GridThw.PatchSize, resizedWidth / GridThw.PatchSize),
        };
    }

    public static FramePlan PlanImage(int width, int height, FrameOptions options)
    {
        Validate(options);
        var minPixels = options.ImageMinPixels ?? ImageMinPixels;
        var maxPixels = options.ImageMaxPixels ?? ImageMaxPixels;
        if (minPixels > maxPixels)
        {
            throw new UserInputException($"The image minimum of {minPixels} pixels is above its maximum of {maxPixels}.");
        }
        var (resizedHeight, resizedWidth) = SmartResize.Compute(height, width, minPixels, maxPixels);
        return new FramePlan
        {
            Kind = MediaKind.Image,
            NFrames = 1,
            Indices = [0],
            ResizedWidth = resizedWidth,
            ResizedHeight = resizedHeight,
            Grid = new GridThw(1, resizedHeight / GridThw.PatchSize, resizedWidth / GridThw.PatchSize),
        };
    }

    /// <summary>qwen-vl-utils <c>smart_nframes</c>: how many frames to sample, always even and within [2, total].</summary>
    public static int SmartNFrames(int totalFrames, double videoFps, FrameOptions options)
    {
        int nframes;
        if (options.NFrames is { } exact)
        {
            nframes = (int)Math.Round(exact / (double)FrameFactor, MidpointRounding.ToEven) * FrameFactor;
        }
        else
        {
            var minFrames = (int)Math.Ceiling(options.MinFrames / (double)FrameFactor) * FrameFactor;
            var maxFrames = (int)Math.Floor(options.MaxFrames / (double)FrameFactor) * FrameFactor;
            var wanted = totalFrames / videoFps * options.Fps;
            var clamped = Math.Min(Math.Min(Math.Max(wanted, minFrames), maxFrames), totalFrames);
            nframes = (int)Math.Floor(clamped / FrameFactor) * FrameFactor;
        }

        if (nframes < FrameFactor || nframes > totalFrames)
        {
            throw new UserInputException(options.NFrames is { } asked
                ? $"Cannot sample {asked} frames{(asked != nframes ? $" (rounded to {nframes})" : "")} from a clip of {totalFrames} frames; choose between {FrameFactor} and {totalFrames}."
                : $"The frame options give {nframes} frames for a clip of {totalFrames} frames; it must be between {FrameFactor} and {totalFrames}.");
        }
        return nframes;
    }

    /// <summary>
    /// <c>torch.linspace(0, total-1, n).round()</c>: float32 steps (the first half counted from the start, the second
    /// from the end, as torch does) rounded half to even.
    /// </summary>
    public static int[] SampleIndices(int totalFrames, int nframes)
    {
        var indices = new int[nframes];
        if (nframes == 1)
        {
            return indices;
        }
        float start = 0f, end = totalFrames - 1;
        float step = (end - start) / (nframes - 1);
        var halfway = nframes / 2;
        for (var i = 0; i < nframes; i++)
        {
            var value = i < halfway ? start + step * i : end - step * (nframes - i - 1);
            indices[i] = (int)MathF.Round(value, MidpointRounding.ToEven);
        }
        return indices;
    }

    /// <summary>Rejects option values no plan can satisfy, naming the option.</summary>
    public static void Validate(FrameOptions options)
    {
        if (!double.IsFinite(options.Fps) || options.Fps <= 0)
        {
            throw new UserInputException($"fps must be a positive number (got {options.Fps}).");
        }
        if (options.MinFrames < 1)
        {
            throw new UserInputException($"min-frames must be at least 1 (got {options.MinFrames}).");
        }
        if (options.MaxFrames < FrameFactor)
        {
            throw new UserInputException($"max-frames must be at least {FrameFactor} (got {options.MaxFrames}).");
        }
        if (options.MaxFrames > MaxFramesCap || options.NFrames > MaxFramesCap)
        {
            throw new UserInputException($"At most {MaxFramesCap} frames can be sampled (got {options.NFrames ?? options.MaxFrames}).");
        }
        if (options.MinFrames > options.MaxFrames)
        {
            throw new UserInputException($"min-frames ({options.MinFrames}) is larger than max-frames ({options.MaxFrames}).");
        }
        if (options.NFrames is < FrameFactor)
        {
            throw new UserInputException($"nframes must be at least {FrameFactor} (got {options.NFrames}).");
        }
        CheckPixels("min-pixels", options.MinPixels);
        CheckPixels("max-pixels", options.MaxPixels);
        CheckPixels("image min-pixels", options.ImageMinPixels);
        CheckPixels("image max-pixels", options.ImageMaxPixels);
        if (options.MinPixels is { } min && options.MaxPixels is { } max && min > max)
        {
            throw new UserInputException($"min-pixels ({min}) is larger than max-pixels ({max}).");
        }
    }

    private static void CheckPixels(string name, int? pixels)
    {
        const int smallest = SmartResize.Factor * SmartResize.Factor;
        if (pixels is { } value && value < smallest)
        {
            throw new UserInputException($"{name} must be at least {smallest} (one 28x28 block; got {value}).");
        }
    }
}
