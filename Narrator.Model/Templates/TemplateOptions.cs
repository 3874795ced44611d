using Narrator.Model.Generation;
using Narrator.Model.Media;

namespace Narrator.Model.Templates;

/// <summary>
/// Frame and generation settings one layer sets (a template's defaults, or a person's overrides); null means
/// "not set here", so the layer below decides. Names match the HTTP API and templates.json (camelCase).
/// </summary>
public sealed record TemplateOptions
{
    public double? Fps { get; init; }

    public int? MinFrames { get; init; }

    public int? MaxFrames { get; init; }

    /// <summary>Exact frame count; overrides fps/min/max when set.</summary>
    public int? NFrames { get; init; }

    public int? MinPixels { get; init; }

    public int? MaxPixels { get; init; }

    public int? MaxNewTokens { get; init; }

    public float? Temperature { get; init; }

    public float? TopP { get; init; }

    public int? TopK { get; init; }

    public float? RepetitionPenalty { get; init; }

    public int? Seed { get; init; }

    public static TemplateOptions None { get; } = new();

    /// <summary>Every field of full option records as a layer (for callers that hold complete records).</summary>
    public static TemplateOptions From(FrameOptions? frames, GenerationOptions? generation) => new()
    {
        Fps = frames?.Fps,
        MinFrames = frames?.MinFrames,
        MaxFrames = frames?.MaxFrames,
        NFrames = frames?.NFrames,
        MinPixels = frames?.MinPixels,
        MaxPixels = frames?.MaxPixels,
        MaxNewTokens = generation?.MaxNewTokens,
        Temperature = generation?.Temperature,
        TopP = generation?.TopP,
        TopK = generation?.TopK,
        RepetitionPenalty = generation?.RepetitionPenalty,
        Seed = generation?.Seed,
    };

    /// <summary>This layer on top of <paramref name="lower"/>: this layer's values win where set.</summary>
    public TemplateOptions Over(TemplateOptions? lower) => lower is null ? this : new()
    {
        Fps = Fps ?? lower.Fps,
        MinFrames = MinFrames ?? lower.MinFrames,
        MaxFrames = MaxFrames ?? lower.MaxFrames,
        NFrames = NFrames ?? lower.NFrames,
        MinPixels = MinPixels ?? lower.MinPixels,
        MaxPixels = MaxPixels ?? lower.MaxPixels,
        MaxNewTokens = MaxNewTokens ?? lower.MaxNewTokens,
        Temperature = Temperature ?? lower.Temperature,
        TopP = TopP ?? lower.TopP,
        TopK = TopK ?? lower.TopK,
        RepetitionPenalty = RepetitionPenalty ?? lower.RepetitionPenalty,
        Seed = Seed ?? lower.Seed,
    };

    /// <summary>Full frame options: Narrator's defaults with this layer's values applied.</summary>
    public FrameOptions ApplyTo(FrameOptions frames) => frames with
    {
        Fps = Fps ?? frames.Fps,
        MinFrames = MinFrames ?? frames.MinFrames,
        MaxFrames = MaxFrames ?? frames.MaxFrames,
        NFrames = NFrames ?? frames.NFrames,
        MinPixels = MinPixels ?? frames.MinPixels,
        MaxPixels = MaxPixels ?? frames.MaxPixels,
    };

    /// <summary>Full generation options: Narrator's defaults with this layer's values applied.</summary>
    public GenerationOptions ApplyTo(GenerationOptions generation) => generation with
    {
        MaxNewTokens = MaxNewTokens ?? generation.MaxNewTokens,
        Temperature = Temperature ?? generation.Temperature,
        TopP = TopP ?? generation.TopP,
        TopK = TopK ?? generation.TopK,
        RepetitionPenalty = RepetitionPenalty ?? generation.RepetitionPenalty,
        Seed = Seed ?? generation.Seed,
    };
}
