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
        var options = layer.ApplyTo(new NarrationOptions(new FrameOptions(), new GenerationOptions()));
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new SettingsValidationException(errors);
        }
        return options;
    }

    /// <summary>Every range problem of complete settings (empty when all are fine), in <see cref="NarrationSettings.All"/> order.</summary>
    public static IReadOnlyList<SettingError> Validate(NarrationOptions options)
    {
        var errors = new List<SettingError>();
        foreach (var setting in NarrationSettings.All)
        {
            if (setting.Check(options) is { } error)
            {
                errors.Add(error);
            }
            foreach (var (low, high) in NarrationSettings.OrderedPairs.Where(pair => pair.High == setting))
            {
                if (low.ValueIn(options) is double lo && high.ValueIn(options) is double hi && lo > hi
                    && low.Check(options) is null && high.Check(options) is null)
                {
                    errors.Add(new(low.Name, $"{low.Name} ({NarrationSettings.Format(lo)}) must not exceed {high.Name} ({NarrationSettings.Format(hi)})."));
                }
            }
        }
        return errors;
    }
}
