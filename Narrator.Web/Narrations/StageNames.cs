using System.Globalization;
using Narrator.Model.Generation;

namespace Narrator.Web.Narrations;

/// <summary>The stage names clients see in <c>stage</c> events: the one place they are written.</summary>
public static class StageNames
{
    public const string PreparingFrames = "preparing frames";
    public const string EncodingVision = "encoding vision";
    public const string Prefill = "prefill";
    public const string Generating = "generating";

    public static string Of(NarrationStage stage) => stage switch
    {
        NarrationStage.PreparingFrames => PreparingFrames,
        NarrationStage.EncodingVision => EncodingVision,
        NarrationStage.Prefill => Prefill,
        NarrationStage.Generating => Generating,
        _ => stage.ToString().ToLowerInvariant(),
    };

    /// <summary>A long video's progress: "segment k of n" (k from 1).</summary>
    internal static string Segment(int number, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"segment {number} of {count}");

    /// <summary>A translation request's progress: "translating into fr (1 of 2)".</summary>
    internal static string Translating(string language, int number, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"translating into {language} ({number} of {count})");
}
