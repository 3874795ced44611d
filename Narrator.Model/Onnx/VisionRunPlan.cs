using Narrator.Model.Vision;

namespace Narrator.Model.Onnx;

/// <summary>One run of the vision graph: whole frame groups of equal size, and where its rows sit in the whole call.</summary>
public sealed record VisionRun(IReadOnlyList<GridThw> Grids, int FirstPatch, int FirstToken)
{
    public int PatchCount => Grids.Sum(g => g.PatchCount);
}

/// <summary>
/// Splits one encode call's grids into runs of whole frame groups (temporal patches). Attention never crosses a frame
/// group, so the concatenated runs equal one run over everything; a run holds only groups of one size (the graph's
/// full-attention blocks reshape to [groups, patches per group]) and stays under the patch limit the memory budget
/// allows, but always takes at least one group.
/// </summary>
public static class VisionRunPlan
{
    public static IReadOnlyList<VisionRun> Split(IReadOnlyList<GridThw> grids, long maxPatchesPerRun, int mergeUnit)
    {
        var runs = new List<VisionRun>();
        var current = new List<GridThw>();
        int firstPatch = 0, patches = 0;
        foreach (var grid in grids)
        {
            int groupPatches = grid.H * grid.W;
            int taken = 0;
            while (taken < grid.T)
            {
                bool sameSize = current.Count == 0 || current[0].H * current[0].W == groupPatches;
                long room = sameSize ? (maxPatchesPerRun - patches) / groupPatches : 0;
                if (room <= 0 && current.Count > 0)
                {
                    Close();
                    continue;
                }
                int frames = (int)Math.Clamp(room, 1, grid.T - taken);
                current.Add(grid with { T = frames });
                patches += frames * groupPatches;
                taken += frames;
            }
        }
        if (current.Count > 0)
        {
            Close();
        }
        return runs;

        void Close()
        {
            runs.Add(new VisionRun(current.ToArray(), firstPatch, firstPatch / mergeUnit));
            firstPatch += patches;
            patches = 0;
            current.Clear();
        }
    }

    /// <summary>
    /// Transient bytes a run needs per patch, from the graph's sizes: the activations alive at once inside a block
    /// (residual, q/k/v and their window copies, the MLP's gate/up/product) plus each window's attention scores.
    /// At 7B width in fp32 this is 144 KiB; a 13,440-patch run measured 146 KiB per patch (docs/BENCHMARKS.md).
    /// </summary>
    public static long BytesPerPatch(GenAiVisionConfig vision)
    {
        int element = vision.Precision == "bf16" ? 2 : 4;
        int slots = vision.WindowUnits * vision.WindowUnits * vision.SpatialMergeSize * vision.SpatialMergeSize;
        long patchInput = 3L * vision.TemporalPatchSize * vision.PatchSize * vision.PatchSize;
        long values = 12L * vision.HiddenSize + 5L * vision.IntermediateSize + 2L * vision.NumAttentionHeads * slots;
        // pixel_values and its window-ordered copy are fp32 whatever the graph computes in.
        return values * element + 2 * patchInput * sizeof(float);
    }

    /// <summary>Patches one run may hold under <paramref name="budgetBytes"/> (at least 1; a run always takes a whole group).</summary>
    public static long MaxPatchesPerRun(GenAiVisionConfig vision, long budgetBytes) =>
        Math.Max(1, budgetBytes / BytesPerPatch(vision));
}
