using Narrator.Model.Onnx;
using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Onnx;

public sealed class VisionRunPlanTests
{
    [Fact]
    public void A_clip_is_split_into_runs_of_whole_frame_groups_under_the_patch_limit()
    {
        var runs = VisionRunPlan.Split([new GridThw(8, 30, 56)], maxPatchesPerRun: 3 * 1680 + 100, mergeUnit: 4);

        Assert.Equal([3, 3, 2], runs.Select(r => r.Grids.Single().T));
        Assert.Equal([0, 3 * 1680, 6 * 1680], runs.Select(r => r.FirstPatch));
        Assert.Equal([0, 3 * 420, 6 * 420], runs.Select(r => r.FirstToken));
        Assert.All(runs, r => Assert.Equal((30, 56), (r.Grids[0].H, r.Grids[0].W)));
    }

    [Fact]
    public void A_run_takes_one_group_even_when_a_group_exceeds_the_limit()
    {
        var runs = VisionRunPlan.Split([new GridThw(3, 30, 56)], maxPatchesPerRun: 10, mergeUnit: 4);

        Assert.Equal([1, 1, 1], runs.Select(r => r.Grids.Single().T));
    }

    [Fact]
    public void Grids_of_the_same_size_share_a_run_and_grids_of_another_size_start_a_new_one()
    {
        var runs = VisionRunPlan.Split([new GridThw(1, 6, 10), new GridThw(1, 6, 10), new GridThw(1, 10, 14), new GridThw(2, 6, 10)],
            maxPatchesPerRun: 1000, mergeUnit: 4);

        Assert.Equal(3, runs.Count);
        Assert.Equal([new GridThw(1, 6, 10), new GridThw(1, 6, 10)], runs[0].Grids);
        Assert.Equal([new GridThw(1, 10, 14)], runs[1].Grids);
        Assert.Equal([new GridThw(2, 6, 10)], runs[2].Grids);
        Assert.Equal([0, 120, 260], runs.Select(r => r.FirstPatch));
    }

    [Fact]
    public void A_larger_width_needs_more_memory_per_patch_and_bf16_less_than_fp32()
    {
        var small = new GenAiVisionConfig { HiddenSize = 32, NumAttentionHeads = 2, HeadSize = 16, IntermediateSize = 64, WindowUnits = 4 };
        var large = small with { HiddenSize = 1280, NumAttentionHeads = 16, HeadSize = 80, IntermediateSize = 3420 };

        Assert.True(VisionRunPlan.BytesPerPatch(large) > 10 * VisionRunPlan.BytesPerPatch(small));
        Assert.True(VisionRunPlan.BytesPerPatch(large with { Precision = "bf16" }) < VisionRunPlan.BytesPerPatch(large));
        Assert.Equal(1, VisionRunPlan.MaxPatchesPerRun(large, budgetBytes: 1));
    }
}
