using Narrator.Model.Vision;

namespace Narrator.Model.Tests;

public class GridThwTests
{
    [Fact]
    public void Visual_tokens_are_patches_over_the_2x2_merge()
    {
        var grid = new GridThw(30, 30, 56);
        Assert.Equal(50400, grid.PatchCount);
        Assert.Equal(12600, grid.VisualTokens);
    }
}
