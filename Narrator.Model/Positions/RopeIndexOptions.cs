using Narrator.Model.Onnx;

namespace Narrator.Model.Positions;

/// <summary>The token ids and vision constants M-RoPE needs; a model package's genai_config.json provides them.</summary>
public sealed record RopeIndexOptions
{
    public int VisionStartTokenId { get; init; } = 151652;

    public int ImageTokenId { get; init; } = 151655;

    public int VideoTokenId { get; init; } = 151656;

    /// <summary>Patches merged per side before the language model (2 for Qwen2.5-VL).</summary>
    public int SpatialMergeSize { get; init; } = 2;

    /// <summary>Time-axis positions per second of video (2 for Qwen2.5-VL).</summary>
    public float TokensPerSecond { get; init; } = 2;

    /// <summary>The Qwen2.5-VL values.</summary>
    public static RopeIndexOptions Qwen25VL { get; } = new();

    /// <summary>The values a model package's genai_config.json gives.</summary>
    public static RopeIndexOptions From(GenAiModelConfig model) => new()
    {
        VisionStartTokenId = (int)model.VisionStartTokenId,
        ImageTokenId = (int)model.ImageTokenId,
        VideoTokenId = (int)model.VideoTokenId,
        SpatialMergeSize = model.Vision.SpatialMergeSize,
        TokensPerSecond = (float)model.Vision.TokensPerSecond,
    };
}
