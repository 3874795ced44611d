namespace Narrator.Model.Vision;

/// <summary>The sizes the grid tables depend on (from genai_config's vision section or the checkpoint's vision_config).</summary>
public readonly record struct VisionTowerGeometry(int SpatialMergeSize, int WindowUnits, int HeadSize, double RopeTheta = 10000)
{
    /// <summary>Patches per merged token (4).</summary>
    public int MergeUnit => SpatialMergeSize * SpatialMergeSize;

    /// <summary>Patches in a full window (4x4 merged units of 2x2 patches = 64): the padded length of every window.</summary>
    public int WindowSlots => WindowUnits * WindowUnits * MergeUnit;

    /// <summary>Columns of the rotary tables: head_size / 2 (a quarter of the head rotates by row, a quarter by column).</summary>
    public int RotaryWidth => HeadSize / 2;
}

/// <summary>
/// Everything Qwen2.5-VL's vision tower derives from <c>grid_thw</c> alone, for the grids of one call, computed as
/// transformers 4.50 does (<c>get_window_index</c>, <c>rot_pos_emb</c>, <c>cu_seqlens</c>) plus the padded window layout
/// the graph's batched attention uses. Patch rows are in the processor's order (t, h/2, w/2, h%2, w%2).
/// </summary>
public sealed class VisionTowerTables
{
    private VisionTowerTables()
    {
    }

    public required IReadOnlyList<GridThw> Grids { get; init; }

    public required VisionTowerGeometry Geometry { get; init; }

    public int PatchCount => Grids.Sum(g => g.PatchCount);

    public int TokenCount => PatchCount / Geometry.MergeUnit;

    /// <summary>transformers' <c>window_index</c>: the merged token taken at each window-ordered position.</summary>
    public required long[] WindowIndex { get; init; }

    /// <summary><see cref="WindowIndex"/> on patch rows: window-ordered row i is processor row PatchOrder[i].</summary>
    public required long[] PatchOrder { get; init; }

    /// <summary><c>argsort(window_index)</c>: the window-ordered position of each merged token.</summary>
    public required long[] MergeReverseIndex { get; init; }

    /// <summary>Window boundaries in patches as transformers builds them, empty windows (duplicates) included.</summary>
    public required int[] CuWindowSeqlensRaw { get; init; }

    /// <summary><see cref="CuWindowSeqlensRaw"/> after <c>unique_consecutive</c>: one segment per non-empty window.</summary>
    public required int[] CuWindowSeqlens { get; init; }

    /// <summary>Frame-group boundaries in patches (full-attention blocks attend within each segment).</summary>
    public required int[] CuSeqlensFull { get; init; }

    public int WindowCount => CuWindowSeqlens.Length - 1;

    /// <summary>[windows, WindowSlots]: the window-ordered row in each slot; slots past a window's length repeat its first row.</summary>
    public required long[] WindowPadIndex { get; init; }

    /// <summary>[windows]: patches per window, the key length of its attention.</summary>
    public required int[] WindowLengths { get; init; }

    /// <summary>[patches]: the padded slot (window × WindowSlots + offset) of each window-ordered row.</summary>
    public required long[] WindowUnpadIndex { get; init; }

    /// <summary>The rotary angles [patches, RotaryWidth] in processor order (transformers' <c>rotary_pos_emb</c>).</summary>
    public required float[] RotaryAngles { get; init; }

    /// <summary>cos of <see cref="RotaryAngles"/>, rows in window order.</summary>
    public required float[] RotaryCos { get; init; }

    /// <summary>sin of <see cref="RotaryAngles"/>, rows in window order.</summary>
    public required float[] RotarySin { get; init; }

    /// <summary>Every frame group of these grids has the same number of patches (what one run of the graph needs).</summary>
    public bool HasUniformFrameGroups => Grids.Select(g => g.H * g.W).Distinct().Count() == 1;

    /// <summary>[frame groups, patches per group] for the graph's full-attention reshape.</summary>
    public long[] FrameGroups => HasUniformFrameGroups
        ? [Grids.Sum(g => (long)g.T), (long)Grids[0].H * Grids[0].W]
        : throw new InvalidOperationException("The frame groups of these grids differ in size; encode them in separate runs.");

    public static VisionTowerTables Build(IReadOnlyList<GridThw> grids, VisionTowerGeometry geometry)
    {
        if (grids.Count == 0)
        {
            throw new ArgumentException("At least one grid is needed.", nameof(grids));
        }
        int merge = geometry.SpatialMergeSize;
        foreach (var grid in grids)
        {
            if (grid.T < 1 || grid.H < merge || grid.W < merge || grid.H % merge != 0 || grid.W % merge != 0)
            {
                throw new ArgumentException($"Grid {grid} is not t >= 1 by positive multiples of the merge size {merge}.", nameof(grids));
            }
        }
        if (geometry.WindowUnits < 1 || geometry.HeadSize < 4 || geometry.HeadSize % 4 != 0)
        {
            throw new ArgumentException($"Window of {geometry.WindowUnits} units or head size {geometry.HeadSize} is not usable.", nameof(geometry));
        }

        var (windowIndex, cuRaw) = WindowOrder(grids, geometry);
        var cu = cuRaw.Where((value, i) => i == 0 || value != cuRaw[i - 1]).ToArray();
        int patches = grids.Sum(g => g.PatchCount);
        int unit = geometry.MergeUnit;

        var patchOrder = new long[patches];
        for (int i = 0; i < windowIndex.Length; i++)
        {
            for (int j = 0; j < unit; j++)
            {
                patchOrder[i * unit + j] = windowIndex[i] * unit + j;
            }
        }
        var reverse = new long[windowIndex.Length];
        for (int i = 0; i < windowIndex.Length; i++)
        {
            reverse[windowIndex[i]] = i;
        }

        int windows = cu.Length - 1;
        int slots = geometry.WindowSlots;
        var padIndex = new long[(long)windows * slots];
        var lengths = new int[windows];
        var unpad = new long[patches];
        for (int w = 0; w < windows; w++)
        {
            int start = cu[w], length = cu[w + 1] - start;
            lengths[w] = length;
            for (int s = 0; s < slots; s++)
            {
                padIndex[(long)w * slots + s] = start + (s < length ? s : 0);
            }
            for (int s = 0; s < length; s++)
            {
                unpad[start + s] = (long)w * slots + s;
            }
        }

        var full = new List<int> { 0 };
        foreach (var grid in grids)
        {
            for (int t = 0; t < grid.T; t++)
            {
                full.Add(full[^1] + grid.H * grid.W);
            }
        }

        var angles = RotaryAnglesOf(grids, geometry);
        int width = geometry.RotaryWidth;
        var cos = new float[angles.Length];
        var sin = new float[angles.Length];
        for (int row = 0; row < patches; row++)
        {
            long source = patchOrder[row] * width;
            for (int c = 0; c < width; c++)
            {
                double angle = angles[source + c];
                cos[(long)row * width + c] = (float)Math.Cos(angle);
                sin[(long)row * width + c] = (float)Math.Sin(angle);
            }
        }

        return new VisionTowerTables
        {
            Grids = grids.ToArray(),
            Geometry = geometry,
            WindowIndex = windowIndex,
            PatchOrder = patchOrder,
            MergeReverseIndex = reverse,
            CuWindowSeqlensRaw = cuRaw,
            CuWindowSeqlens = cu,
            CuSeqlensFull = [.. full],
            WindowPadIndex = padIndex,
            WindowLengths = lengths,
            WindowUnpadIndex = unpad,
            RotaryAngles = angles,
            RotaryCos = cos,
            RotarySin = sin,
        };
    }

    /// <summary>
    /// transformers' get_window_index: each frame's merged grid is padded with empty units to whole windows (a full extra
    /// window row or column when it already divides), then read frame by frame, window by window, unit by unit.
    /// </summary>
    private static (long[] WindowIndex, int[] CuRaw) WindowOrder(IReadOnlyList<GridThw> grids, VisionTowerGeometry geometry)
    {
        int merge = geometry.SpatialMergeSize, size = geometry.WindowUnits, unit = geometry.MergeUnit;
        var index = new List<long>();
        var cu = new List<int> { 0 };
        long offset = 0;
        foreach (var grid in grids)
        {
            int rows = grid.H / merge, cols = grid.W / merge;
            int windowRows = (rows + size - rows % size) / size;
            int windowCols = (cols + size - cols % size) / size;
            for (int t = 0; t < grid.T; t++)
            {
                for (int wr = 0; wr < windowRows; wr++)
                {
                    for (int wc = 0; wc < windowCols; wc++)
                    {
                        int count = 0;
                        for (int r = wr * size; r < Math.Min(rows, (wr + 1) * size); r++)
                        {
                            for (int c = wc * size; c < Math.Min(cols, (wc + 1) * size); c++)
                            {
                                index.Add(offset + ((long)t * rows + r) * cols + c);
                                count++;
                            }
                        }
                        cu.Add(cu[^1] + count * unit);
                    }
                }
            }
            offset += (long)grid.T * rows * cols;
        }
        return ([.. index], [.. cu]);
    }

    /// <summary>
    /// transformers' rot_pos_emb: per patch, [row × inv_freq | column × inv_freq] with inv_freq[j] = 1/θ^(2j/(head/2)),
    /// j &lt; head/4, in fp32 as torch computes it; the same rows repeat for every frame group.
    /// </summary>
    private static float[] RotaryAnglesOf(IReadOnlyList<GridThw> grids, VisionTowerGeometry geometry)
    {
        int merge = geometry.SpatialMergeSize;
        int width = geometry.RotaryWidth, quarter = width / 2;
        var inverse = new float[quarter];
        for (int j = 0; j < quarter; j++)
        {
            inverse[j] = (float)(1.0 / Math.Pow(geometry.RopeTheta, 2.0 * j / width));
        }
        var angles = new float[(long)grids.Sum(g => g.PatchCount) * width];
        long row = 0;
        foreach (var grid in grids)
        {
            for (int t = 0; t < grid.T; t++)
            {
                for (int br = 0; br < grid.H / merge; br++)
                {
                    for (int bc = 0; bc < grid.W / merge; bc++)
                    {
                        for (int mr = 0; mr < merge; mr++)
                        {
                            for (int mc = 0; mc < merge; mc++, row++)
                            {
                                float h = br * merge + mr, w = bc * merge + mc;
                                long at = row * width;
                                for (int j = 0; j < quarter; j++)
                                {
                                    angles[at + j] = h * inverse[j];
                                    angles[at + quarter + j] = w * inverse[j];
                                }
                            }
                        }
                    }
                }
            }
        }
        return angles;
    }
}
