using System.Globalization;
using Narrator.Model.Generation;
using Narrator.Model.Media;

namespace Narrator.Model.Templates;

/// <summary>
/// Merges the option layers (Narrator defaults &lt; template defaults &lt; the person's overrides) and checks the result
/// is in range, naming each setting that is not.
/// </summary>
public static class NarrationOptionsResolver
{
    public const double MaxFps = 30;
    public const int MinFrameCount = 2;
    public const int MaxFrameCount = 768;
    public const int MinPixelBound = 4 * 28 * 28;
    public const int MaxPixelBound = 16384 * 28 * 28;
    public const int MaxNewTokensLimit = 8192;
    public const float MaxTemperature = 2;
    public const float MinRepetitionPenalty = 1;
    public const float MaxRepetitionPenalty = 2;

    /// <summary>The validated settings; <see cref="SettingsValidationException"/> lists every setting out of range.</summary>
    public static NarrationOptions Resolve(TemplateOptions? templateDefaults, TemplateOptions? overrides = null)
    {
        var layer = (overrides ?? TemplateOptions.None).Over(templateDefaults ?? TemplateOptions.None);
        var options = new NarrationOptions(layer.ApplyTo(new FrameOptions()), layer.ApplyTo(new GenerationOptions()));
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new SettingsValidationException(errors);
        }
        return options;
    }

    /// <summary>Every range problem of complete settings (empty when all are fine).</summary>
    public static IReadOnlyList<SettingError> Validate(NarrationOptions options)
    {
        var errors = new List<SettingError>();
        var f = options.Frames;
        var g = options.Generation;
        if (!(double.IsFinite(f.Fps) && f.Fps > 0 && f.Fps <= MaxFps))
        {
            errors.Add(new("fps", $"fps must be greater than 0 and at most {Format(MaxFps)} (got {Format(f.Fps)})."));
        }
        CheckRange(errors, "minFrames", f.MinFrames, MinFrameCount, MaxFrameCount);
        CheckRange(errors, "maxFrames", f.MaxFrames, MinFrameCount, MaxFrameCount);
        if (f.NFrames is int n)
        {
            CheckRange(errors, "nFrames", n, MinFrameCount, MaxFrameCount);
        }
        if (f.MinFrames > f.MaxFrames && InRange(f.MinFrames) && InRange(f.MaxFrames))
        {
            errors.Add(new("minFrames", $"minFrames ({f.MinFrames}) must not exceed maxFrames ({f.MaxFrames})."));
        }
        if (f.MinPixels is int minPixels)
        {
            CheckRange(errors, "minPixels", minPixels, MinPixelBound, MaxPixelBound);
        }
        if (f.MaxPixels is int maxPixels)
        {
            CheckRange(errors, "maxPixels", maxPixels, MinPixelBound, MaxPixelBound);
        }
        if (f.MinPixels is int lo && f.MaxPixels is int hi && lo > hi && lo <= MaxPixelBound && hi >= MinPixelBound)
        {
            errors.Add(new("minPixels", $"minPixels ({lo}) must not exceed maxPixels ({hi})."));
        }

        CheckRange(errors, "maxNewTokens", g.MaxNewTokens, 1, MaxNewTokensLimit);
        if (!(float.IsFinite(g.Temperature) && g.Temperature >= 0 && g.Temperature <= MaxTemperature))
        {
            errors.Add(new("temperature", $"temperature must be between 0 and {Format(MaxTemperature)} (got {Format(g.Temperature)})."));
        }
        if (!(float.IsFinite(g.TopP) && g.TopP > 0 && g.TopP <= 1))
        {
            errors.Add(new("topP", $"topP must be greater than 0 and at most 1 (got {Format(g.TopP)})."));
        }
        if (g.TopK < 0)
        {
            errors.Add(new("topK", $"topK must be 0 (off) or more (got {g.TopK})."));
        }
        if (!(float.IsFinite(g.RepetitionPenalty) && g.RepetitionPenalty >= MinRepetitionPenalty && g.RepetitionPenalty <= MaxRepetitionPenalty))
        {
            errors.Add(new("repetitionPenalty",
                $"repetitionPenalty must be between {Format(MinRepetitionPenalty)} and {Format(MaxRepetitionPenalty)} (got {Format(g.RepetitionPenalty)})."));
        }
        if (g.Seed is < 0)
        {
            errors.Add(new("seed", $"seed must be 0 or more (got {g.Seed})."));
        }
        return errors;
    }

    private static bool InRange(int frames) => frames is >= MinFrameCount and <= MaxFrameCount;

    private static void CheckRange(List<SettingError> errors, string setting, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add(new(setting, $"{setting} must be between {min} and {max} (got {value})."));
        }
    }

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
