using System.ComponentModel;
using Narrator.Model.Generation;
using Narrator.Model.Media;

namespace Narrator.Model.Templates;

/// <summary>
/// Frame and generation settings one layer sets (a template's defaults, or a person's overrides); null means
/// "not set here", so the layer below decides. Names match the HTTP API and templates.json (camelCase); the body of
/// <c>POST /api/narrations</c> is this layer plus the request's other fields. <see cref="NarrationSettings"/> declares
/// each setting's name and range, and every operation here walks it.
/// </summary>
public record TemplateOptions
{
    [Description("Frames sampled per second of video.")]
    public double? Fps { get; init; }

    public int? MinFrames { get; init; }

    public int? MaxFrames { get; init; }

    /// <summary>Exact frame count; overrides fps/min/max when set.</summary>
    [Description("Exact frame count; overrides fps/min/max.")]
    public int? NFrames { get; init; }

    public int? MinPixels { get; init; }

    public int? MaxPixels { get; init; }

    public int? MaxNewTokens { get; init; }

    [Description("0 = greedy.")]
    public float? Temperature { get; init; }

    public float? TopP { get; init; }

    public int? TopK { get; init; }

    public float? RepetitionPenalty { get; init; }

    public int? Seed { get; init; }

    public static TemplateOptions None { get; } = new();

    /// <summary>Every field of full option records as a layer (for callers that hold complete records); a null record sets none of its fields.</summary>
    public static TemplateOptions From(FrameOptions? frames, GenerationOptions? generation)
    {
        var full = new NarrationOptions(frames ?? new FrameOptions(), generation ?? new GenerationOptions());
        var layer = None;
        foreach (var setting in NarrationSettings.All)
        {
            if ((setting.Group == SettingGroup.Frames ? frames : (object?)generation) is not null)
            {
                layer = setting.Layer(layer, full);
            }
        }
        return layer;
    }

    /// <summary>This layer on top of <paramref name="lower"/>: this layer's values win where set.</summary>
    public TemplateOptions Over(TemplateOptions? lower) =>
        NarrationSettings.All.Aggregate(None, (layer, setting) => setting.Layer(layer, this, lower));

    /// <summary>Full settings: <paramref name="options"/> with this layer's values applied where set.</summary>
    public NarrationOptions ApplyTo(NarrationOptions options) =>
        NarrationSettings.All.Aggregate(options, (full, setting) => setting.Apply(full, this));

    /// <summary>Full frame options: Narrator's defaults with this layer's values applied.</summary>
    public FrameOptions ApplyTo(FrameOptions frames) => ApplyTo(new NarrationOptions(frames, new GenerationOptions())).Frames;

    /// <summary>Full generation options: Narrator's defaults with this layer's values applied.</summary>
    public GenerationOptions ApplyTo(GenerationOptions generation) => ApplyTo(new NarrationOptions(new FrameOptions(), generation)).Generation;
}
