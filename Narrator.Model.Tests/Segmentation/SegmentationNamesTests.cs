using Narrator.Model.Segmentation;

namespace Narrator.Model.Tests.Segmentation;

public class SegmentationNamesTests
{
    [Theory]
    [InlineData(SegmentationMode.Scenes, "scenes")]
    [InlineData(SegmentationMode.Fixed, "fixed")]
    public void Each_mode_has_one_name_that_reads_back_as_it(SegmentationMode mode, string name)
    {
        Assert.Equal(name, mode.ToName());
        Assert.True(SegmentationNames.TryParseMode(name, out var read));
        Assert.Equal(mode, read);
        Assert.Equal(mode, SegmentationNames.ModeOrNull($" {name.ToUpperInvariant()} "));
    }

    [Theory]
    [InlineData("whole")]
    [InlineData("shots")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_no_mode(string? name)
    {
        Assert.False(SegmentationNames.TryParseMode(name, out _));
        Assert.Null(SegmentationNames.ModeOrNull(name));
    }

    [Theory]
    [InlineData(SegmentationMethod.Whole, "whole", false)]
    [InlineData(SegmentationMethod.Scenes, "scenes", true)]
    [InlineData(SegmentationMethod.Fixed, "fixed", true)]
    public void A_methods_name_says_whether_the_video_was_split(SegmentationMethod method, string name, bool split)
    {
        Assert.Equal(name, method.ToName());
        Assert.Equal(split, SegmentationNames.IsSplit(name));
    }
}
