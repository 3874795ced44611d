using Narrator.Model.Generation;

namespace Narrator.Web.Services.Queue;

/// <summary>The stage names clients see in <c>stage</c> events.</summary>
public static class StageNames
{
    public const string PreparingFrames = "preparing frames";
    public const string EncodingVision = "encoding vision";
    public const string Prefill = "prefill";
    public const string Generating = "generating";

    public static string ToStageName(this NarrationStage stage) => stage switch
    {
        NarrationStage.PreparingFrames => PreparingFrames,
        NarrationStage.EncodingVision => EncodingVision,
        NarrationStage.Prefill => Prefill,
        NarrationStage.Generating => Generating,
        _ => stage.ToString().ToLowerInvariant(),
    };
}
