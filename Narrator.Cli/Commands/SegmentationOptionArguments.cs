using System.CommandLine;
using Narrator.Model;
using Narrator.Model.Segmentation;

namespace Narrator.Cli.Commands;

/// <summary>The long-video options: when a video is split, how (scene cuts or fixed length), and the segment length bounds.</summary>
internal sealed class SegmentationOptionArguments
{
    private static readonly SegmentationOptions Defaults = new();

    public Option<double?> LongVideo { get; } = FrameOptionArguments.Number("--long-video",
        $"Videos longer than this many seconds are narrated in segments (default {Defaults.LongVideoSeconds:0}).");

    public Option<string> Split { get; } = new("--split")
    {
        Description = "How long videos are split: scenes (on scene cuts, merged/split to the min/max length) or fixed (every --segment-length seconds).",
        DefaultValueFactory = _ => SegmentationNames.Scenes,
    };

    public Option<double?> MinSegment { get; } = FrameOptionArguments.Number("--min-segment",
        $"Shortest segment in seconds; shorter scenes are merged (default {Defaults.MinSegmentSeconds:0}).");

    public Option<double?> MaxSegment { get; } = FrameOptionArguments.Number("--max-segment",
        $"Longest segment in seconds; longer scenes are split evenly (default {Defaults.MaxSegmentSeconds:0}).");

    public Option<double?> SegmentLength { get; } = FrameOptionArguments.Number("--segment-length",
        $"Segment length in seconds with --split fixed, and when no scene cut is found (default {Defaults.FixedSegmentSeconds:0}).");

    public Option<double?> SceneThreshold { get; } = FrameOptionArguments.Number("--scene-threshold",
        $"ffmpeg scene score (0-1) above which a frame starts a new scene (default {Defaults.SceneThreshold:0.0#}).");

    public SegmentationOptionArguments() => Split.AcceptOnlyFromAmong([.. SegmentationNames.Modes]);

    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[LongVideo, Split, MinSegment, MaxSegment, SegmentLength, SceneThreshold])
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The options as given over the defaults, validated (a <see cref="UserInputException"/> names a bad one).</summary>
    public SegmentationOptions Read(ParseResult parseResult) => new SegmentationOptions
    {
        LongVideoSeconds = parseResult.GetValue(LongVideo) ?? Defaults.LongVideoSeconds,
        Mode = SegmentationNames.ModeOrNull(parseResult.GetValue(Split)) ?? Defaults.Mode,
        MinSegmentSeconds = parseResult.GetValue(MinSegment) ?? Defaults.MinSegmentSeconds,
        MaxSegmentSeconds = parseResult.GetValue(MaxSegment) ?? Defaults.MaxSegmentSeconds,
        FixedSegmentSeconds = parseResult.GetValue(SegmentLength) ?? Defaults.FixedSegmentSeconds,
        SceneThreshold = parseResult.GetValue(SceneThreshold) ?? Defaults.SceneThreshold,
    }.Validate();
}
