using Narrator.Model.Tests.Conversion;
using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Vision;

public sealed class VisionTowerTablesTests
{
    private static readonly VisionTowerGeometry HfTinyGeometry = new(SpatialMergeSize: 2, WindowUnits: 4, HeadSize: 16);

    [Theory]
    [MemberData(nameof(HfTinyVisionCase.All), MemberType = typeof(HfTinyVisionCase))]
    public void Window_order_and_boundaries_are_the_ones_transformers_computes(string name)
    {
        var reference = HfTinyVisionCase.Load(name);

        var tables = VisionTowerTables.Build(reference.Grids, HfTinyGeometry);

        Assert.Equal(reference.Longs("window_index"), tables.WindowIndex);
        Assert.Equal(reference.Ints("cu_window_seqlens_raw"), tables.CuWindowSeqlensRaw);
        Assert.Equal(reference.Ints("cu_window_seqlens"), tables.CuWindowSeqlens);
        Assert.Equal(reference.Ints("cu_seqlens_full"), tables.CuSeqlensFull);
    }

    [Theory]
    [MemberData(nameof(HfTinyVisionCase.All), MemberType = typeof(HfTinyVisionCase))]
    public void Rotary_angles_are_the_ones_transformers_computes(string name)
    {
        var reference = HfTinyVisionCase.Load(name);

        var tables = VisionTowerTables.Build(reference.Grids, HfTinyGeometry);

        var expected = reference.RotaryPosEmb;
        Assert.Equal(expected.Length, tables.RotaryAngles.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - tables.RotaryAngles[i]) <= 1e-6f * Math.Max(1f, Math.Abs(expected[i])),
                $"angle {i}: {tables.RotaryAngles[i]} vs transformers' {expected[i]}");
        }
    }

    [Fact]
    public void Cos_and_sin_rows_follow_the_window_order()
    {
        var grid = new GridThw(2, 8, 12);
        var tables = VisionTowerTables.Build([grid], HfTinyGeometry);
        int width = HfTinyGeometry.RotaryWidth;

        for (int row = 0; row < grid.PatchCount; row++)
        {
            long source = tables.PatchOrder[row];
            for (int c = 0; c < width; c++)
            {
                Assert.Equal((float)Math.Cos(tables.RotaryAngles[source * width + c]), tables.RotaryCos[row * width + c]);
                Assert.Equal((float)Math.Sin(tables.RotaryAngles[source * width + c]), tables.RotarySin[row * width + c]);
            }
        }
    }

    [Fact]
    public void Padded_windows_hold_each_window_ordered_row_exactly_once_and_unpad_finds_it()
    {
        // 10x14 patches: windows of 16, 12, 4 and 3 merged units, so three of the four are padded.
        var tables = VisionTowerTables.Build([new GridThw(1, 10, 14)], HfTinyGeometry);
        int slots = HfTinyGeometry.WindowSlots;

        Assert.Equal([64, 48, 16, 12], tables.WindowLengths);
        Assert.Equal(4 * slots, tables.WindowPadIndex.Length);
        for (int row = 0; row < tables.PatchCount; row++)
        {
            long slot = tables.WindowUnpadIndex[row];
            Assert.Equal(row, tables.WindowPadIndex[slot]);
            Assert.True(slot % slots < tables.WindowLengths[slot / slots], $"row {row} sits in a padding slot");
        }
        Assert.Equal(Enumerable.Range(0, tables.PatchCount).Select(i => (long)i), tables.WindowUnpadIndex.Select(s => tables.WindowPadIndex[s]));
    }

    [Fact]
    public void Merge_reverse_index_undoes_the_window_permutation()
    {
        var tables = VisionTowerTables.Build([new GridThw(1, 6, 10), new GridThw(1, 10, 14)], HfTinyGeometry);

        for (int token = 0; token < tables.TokenCount; token++)
        {
            Assert.Equal(token, tables.WindowIndex[tables.MergeReverseIndex[token]]);
        }
    }

    [Fact]
    public void Frame_groups_are_given_only_when_every_group_has_the_same_size()
    {
        var video = VisionTowerTables.Build([new GridThw(3, 8, 12), new GridThw(2, 8, 12)], HfTinyGeometry);
        var mixed = VisionTowerTables.Build([new GridThw(1, 6, 10), new GridThw(1, 10, 14)], HfTinyGeometry);

        Assert.Equal([5L, 96L], video.FrameGroups);
        Assert.False(mixed.HasUniformFrameGroups);
        Assert.Throws<InvalidOperationException>(() => mixed.FrameGroups);
    }

    [Fact]
    public void A_grid_that_is_not_a_whole_number_of_merged_units_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => VisionTowerTables.Build([new GridThw(1, 7, 10)], HfTinyGeometry));

        Assert.Contains("1x7x10", error.Message);
    }
}
