using Narrator.Model.Media;
using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Vision;

public class SmartResizeGoldenTests
{
    private const string File = "preprocess_and_rope_cases.json";

    public static TheoryData<int> Cases => GoldenData.CaseNumbers(File, "smart_resize");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resized_size_matches_the_reference_smart_resize(int caseNumber)
    {
        var c = GoldenData.Load(File).GetProperty("smart_resize")[caseNumber];

        var (height, width) = SmartResize.Compute(
            c.GetProperty("height").GetInt32(),
            c.GetProperty("width").GetInt32(),
            c.GetProperty("min_pixels").GetInt32(),
            c.GetProperty("max_pixels").GetInt32());

        Assert.Equal(c.GetProperty("resized_height").GetInt32(), height);
        Assert.Equal(c.GetProperty("resized_width").GetInt32(), width);
    }

    [Theory]
    [InlineData(1, 300)]
    [InlineData(5000, 20)]
    public void Aspect_ratio_over_200_is_rejected_with_a_reason(int height, int width)
    {
        var error = Assert.Throws<MediaException>(() => SmartResize.Compute(height, width, 3136, 12845056));
        Assert.Contains("aspect ratio", error.Message);
    }

    [Fact]
    public void Sides_are_multiples_of_28_within_the_bounds()
    {
        var (height, width) = SmartResize.Compute(1037, 1913, FramePlanner.VideoMinPixels, FrameOptions.NarratorMaxPixels);
        Assert.Equal(0, height % 28);
        Assert.Equal(0, width % 28);
        Assert.InRange(height * width, FramePlanner.VideoMinPixels, FrameOptions.NarratorMaxPixels);
    }
}
