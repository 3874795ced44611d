using System.Globalization;
using System.Numerics;
using Narrator.Model.Generation;
using Narrator.Model.Media;

namespace Narrator.Model.Templates;

/// <summary>
/// Every frame and sampling setting a person, a template or the API can set, declared once: its name (the HTTP API's
/// and templates.json's), its range, where it sits in an option layer (<see cref="TemplateOptions"/>) and in the full
/// settings (<see cref="NarrationOptions"/>). Layering, validation and reading templates.json all walk this list, so a
/// new setting is a property on <see cref="TemplateOptions"/>, one on <see cref="FrameOptions"/> or
/// <see cref="GenerationOptions"/>, and one entry here (plus its control on the page, if it has one).
/// </summary>
public static class NarrationSettings
{
    // Declared before the settings that use them: static fields initialise in order.
    private static readonly SettingRule FrameCount = SettingRule.Between(NarrationOptionsResolver.MinFrameCount, NarrationOptionsResolver.MaxFrameCount);
    private static readonly SettingRule PixelBound = SettingRule.Between(NarrationOptionsResolver.MinPixelBound, NarrationOptionsResolver.MaxPixelBound);

    public static readonly NarrationSetting Fps = NarrationSetting.Frame("fps", SettingRule.AboveZeroAtMost(NarrationOptionsResolver.MaxFps),
        o => o.Fps, (o, v) => o with { Fps = v }, f => f.Fps, (f, v) => f with { Fps = v });

    public static readonly NarrationSetting MinFrames = NarrationSetting.Frame("minFrames", FrameCount,
        o => o.MinFrames, (o, v) => o with { MinFrames = v }, f => f.MinFrames, (f, v) => f with { MinFrames = v });

    public static readonly NarrationSetting MaxFrames = NarrationSetting.Frame("maxFrames", FrameCount,
        o => o.MaxFrames, (o, v) => o with { MaxFrames = v }, f => f.MaxFrames, (f, v) => f with { MaxFrames = v });

    public static readonly NarrationSetting NFrames = NarrationSetting.Frame("nFrames", FrameCount,
        o => o.NFrames, (o, v) => o with { NFrames = v }, f => f.NFrames, (f, v) => f with { NFrames = v });

    public static readonly NarrationSetting MinPixels = NarrationSetting.Frame("minPixels", PixelBound,
        o => o.MinPixels, (o, v) => o with { MinPixels = v }, f => f.MinPixels, (f, v) => f with { MinPixels = v });

    public static readonly NarrationSetting MaxPixels = NarrationSetting.Frame("maxPixels", PixelBound,
        o => o.MaxPixels, (o, v) => o with { MaxPixels = v }, f => f.MaxPixels, (f, v) => f with { MaxPixels = v });

    public static readonly NarrationSetting MaxNewTokens = NarrationSetting.Generation("maxNewTokens",
        SettingRule.Between(1, NarrationOptionsResolver.MaxNewTokensLimit),
        o => o.MaxNewTokens, (o, v) => o with { MaxNewTokens = v }, g => g.MaxNewTokens, (g, v) => g with { MaxNewTokens = v });

    public static readonly NarrationSetting Temperature = NarrationSetting.Generation("temperature",
        SettingRule.Between(0, NarrationOptionsResolver.MaxTemperature),
        o => o.Temperature, (o, v) => o with { Temperature = v }, g => g.Temperature, (g, v) => g with { Temperature = v });

    public static readonly NarrationSetting TopP = NarrationSetting.Generation("topP", SettingRule.AboveZeroAtMost(1),
        o => o.TopP, (o, v) => o with { TopP = v }, g => g.TopP, (g, v) => g with { TopP = v });

    public static readonly NarrationSetting TopK = NarrationSetting.Generation("topK", SettingRule.NotNegative("0 (off) or more"),
        o => o.TopK, (o, v) => o with { TopK = v }, g => g.TopK, (g, v) => g with { TopK = v });

    public static readonly NarrationSetting RepetitionPenalty = NarrationSetting.Generation("repetitionPenalty",
        SettingRule.Between(NarrationOptionsResolver.MinRepetitionPenalty, NarrationOptionsResolver.MaxRepetitionPenalty),
        o => o.RepetitionPenalty, (o, v) => o with { RepetitionPenalty = v }, g => g.RepetitionPenalty, (g, v) => g with { RepetitionPenalty = v });

    public static readonly NarrationSetting Seed = NarrationSetting.Generation("seed", SettingRule.NotNegative("0 or more"),
        o => o.Seed, (o, v) => o with { Seed = v }, g => g.Seed, (g, v) => g with { Seed = v });

    /// <summary>Every setting, in the order errors and lists name them.</summary>
    public static IReadOnlyList<NarrationSetting> All { get; } =
        [Fps, MinFrames, MaxFrames, NFrames, MinPixels, MaxPixels, MaxNewTokens, Temperature, TopP, TopK, RepetitionPenalty, Seed];

    /// <summary>Bounds that must not cross: the first of each pair must not exceed the second (checked once both are in range).</summary>
    public static IReadOnlyList<(NarrationSetting Low, NarrationSetting High)> OrderedPairs { get; } = [(MinFrames, MaxFrames), (MinPixels, MaxPixels)];

    private static readonly Dictionary<string, NarrationSetting> ByName = All.ToDictionary(setting => setting.Name, StringComparer.Ordinal);

    /// <summary>The setting the API and templates.json call <paramref name="name"/> (exact camelCase), or null.</summary>
    public static NarrationSetting? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>"fps, minFrames, ...": every name, as messages list them.</summary>
    public static string NameList { get; } = string.Join(", ", All.Select(setting => setting.Name));

    internal static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>The range a setting accepts, and how its error sentence says it ("between 0 and 2").</summary>
public sealed record SettingRule(string Phrase, Func<double, bool> Accepts)
{
    public static SettingRule Between(double min, double max) => new(
        $"between {NarrationSettings.Format(min)} and {NarrationSettings.Format(max)}", value => double.IsFinite(value) && value >= min && value <= max);

    public static SettingRule AboveZeroAtMost(double max) => new(
        $"greater than 0 and at most {NarrationSettings.Format(max)}", value => double.IsFinite(value) && value > 0 && value <= max);

    public static SettingRule NotNegative(string phrase) => new(phrase, value => value >= 0);
}

/// <summary>One setting of <see cref="NarrationSettings"/>: how to read, layer, apply and check it without knowing its type.</summary>
public abstract class NarrationSetting
{
    private protected NarrationSetting(string name, SettingGroup group, SettingRule rule)
    {
        Name = name;
        Group = group;
        Rule = rule;
    }

    /// <summary>The camelCase name of the HTTP API and templates.json.</summary>
    public string Name { get; }

    /// <summary>Whether it shapes the frames the model sees or how it writes.</summary>
    public SettingGroup Group { get; }

    public SettingRule Rule { get; }

    /// <summary>True for a whole-number setting (templates.json refuses 2.5 for it).</summary>
    public abstract bool IsWholeNumber { get; }

    /// <summary>The layer's value, or null when the layer leaves it to the one below.</summary>
    public abstract double? ValueIn(TemplateOptions layer);

    /// <summary>The full settings' value (null for a setting whose default is "the model decides").</summary>
    public abstract double? ValueIn(NarrationOptions options);

    /// <summary><paramref name="layer"/> with this setting set to <paramref name="value"/> (a whole number for a whole-number setting).</summary>
    public abstract TemplateOptions Set(TemplateOptions layer, double value);

    /// <summary>This setting of <paramref name="target"/> taken from <paramref name="upper"/>, else from <paramref name="lower"/>.</summary>
    internal abstract TemplateOptions Layer(TemplateOptions target, TemplateOptions upper, TemplateOptions? lower);

    /// <summary>This setting of <paramref name="target"/> taken from the full <paramref name="options"/>.</summary>
    internal abstract TemplateOptions Layer(TemplateOptions target, NarrationOptions options);

    /// <summary><paramref name="options"/> with the layer's value applied when the layer sets one.</summary>
    internal abstract NarrationOptions Apply(NarrationOptions options, TemplateOptions layer);

    /// <summary>The error for an out-of-range value in the full settings, or null.</summary>
    public SettingError? Check(NarrationOptions options) => ValueIn(options) is double value && !Rule.Accepts(value)
        ? new SettingError(Name, $"{Name} must be {Rule.Phrase} (got {NarrationSettings.Format(value)}).")
        : null;

    public override string ToString() => Name;

    internal static NarrationSetting Frame<T>(string name, SettingRule rule,
        Func<TemplateOptions, T?> layer, Func<TemplateOptions, T?, TemplateOptions> withLayer,
        Func<FrameOptions, T?> value, Func<FrameOptions, T, FrameOptions> withValue) where T : struct, INumber<T> =>
        new Typed<T>(name, SettingGroup.Frames, rule, layer, withLayer, o => value(o.Frames), (o, v) => o with { Frames = withValue(o.Frames, v) });

    internal static NarrationSetting Generation<T>(string name, SettingRule rule,
        Func<TemplateOptions, T?> layer, Func<TemplateOptions, T?, TemplateOptions> withLayer,
        Func<GenerationOptions, T?> value, Func<GenerationOptions, T, GenerationOptions> withValue) where T : struct, INumber<T> =>
        new Typed<T>(name, SettingGroup.Generation, rule, layer, withLayer, o => value(o.Generation), (o, v) => o with { Generation = withValue(o.Generation, v) });

    private sealed class Typed<T>(string name, SettingGroup group, SettingRule rule,
        Func<TemplateOptions, T?> layer, Func<TemplateOptions, T?, TemplateOptions> withLayer,
        Func<NarrationOptions, T?> value, Func<NarrationOptions, T, NarrationOptions> withValue)
        : NarrationSetting(name, group, rule) where T : struct, INumber<T>
    {
        public override bool IsWholeNumber => typeof(T) == typeof(int);

        public override double? ValueIn(TemplateOptions options) => layer(options) is T v ? double.CreateTruncating(v) : null;

        public override double? ValueIn(NarrationOptions options) => value(options) is T v ? double.CreateTruncating(v) : null;

        public override TemplateOptions Set(TemplateOptions options, double v) => withLayer(options, T.CreateTruncating(v));

        internal override TemplateOptions Layer(TemplateOptions target, TemplateOptions upper, TemplateOptions? lower) =>
            withLayer(target, layer(upper) ?? (lower is null ? null : layer(lower)));

        internal override TemplateOptions Layer(TemplateOptions target, NarrationOptions options) => withLayer(target, value(options));

        internal override NarrationOptions Apply(NarrationOptions options, TemplateOptions from) =>
            layer(from) is T v ? withValue(options, v) : options;
    }
}

/// <summary>The part of <see cref="NarrationOptions"/> a setting belongs to.</summary>
public enum SettingGroup
{
    Frames,
    Generation,
}
