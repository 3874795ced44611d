using Narrator.Model.Media;
using Narrator.Model.Vision;

namespace Narrator.Model.Text;

/// <summary>One still or clip in a prompt: its patch grid and, for a clip, the seconds one temporal patch group spans.</summary>
public readonly record struct VisualBlock(MediaKind Kind, GridThw Grid, double SecondPerGridT)
{
    public static VisualBlock Image(GridThw grid) => new(MediaKind.Image, grid, 0);

    public static VisualBlock Video(GridThw grid, double secondPerGridT) => new(MediaKind.Video, grid, secondPerGridT);

    public static VisualBlock From(FramePlan plan) =>
        plan.Kind == MediaKind.Video ? Video(plan.Grid, plan.SecondPerGridT) : Image(plan.Grid);

    /// <summary>Pad tokens the block occupies in the prompt: one per 2x2 merged patch (t*h*w/4 for merge size 2).</summary>
    public int TokenCount(int spatialMergeSize = GridThw.MergeSize) =>
        Grid.T * Grid.H * Grid.W / (spatialMergeSize * spatialMergeSize);
}
