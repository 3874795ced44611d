namespace Narrator.Model.Generation;

/// <summary>Where one request is in the pipeline; shown to the person waiting.</summary>
public enum NarrationStage
{
    PreparingFrames,
    EncodingVision,
    Prefill,
    Generating,
}
