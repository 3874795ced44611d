using Narrator.Model.Media;
using Narrator.Model.Text;

namespace Narrator.Model.Positions;

/// <summary>
/// Qwen2.5-VL's <c>get_rope_index</c>: text tokens get (p,p,p); a vision block starting at s gets
/// t = floor(group x second_per_grid_t x tokens_per_second) + s, h = row + s, w = col + s over the merged grid;
/// the text after it resumes at the block's largest position + 1.
/// </summary>
public sealed class RopeIndex(RopeIndexOptions? options = null)
{
    private readonly RopeIndexOptions _options = options ?? RopeIndexOptions.Qwen25VL;

    public RopeIndexOptions Options => _options;

    /// <summary>
    /// Positions for a prompt. <paramref name="blocks"/> describe its vision blocks in order (images and videos are
    /// matched to the image and video blocks of the ids separately, as the reference does).
    /// </summary>
    public RopePositions Compute(ReadOnlySpan<int> ids, IReadOnlyList<VisualBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        int length = ids.Length;
        var values = new long[3 * length];
        var t = values.AsSpan(0, length);
        var h = values.AsSpan(length, length);
        var w = values.AsSpan(2 * length, length);
        int merge = _options.SpatialMergeSize;
        int nextImage = 0;
        int nextVideo = 0;
        int imagesUsed = 0;
        int videosUsed = 0;
        long next = 0;
        int i = 0;
        while (i < length)
        {
            t[i] = h[i] = w[i] = next++;
            if (ids[i] != _options.VisionStartTokenId || i + 1 >= length)
            {
                i++;
                continue;
            }
            int pad = ids[i + 1];
            MediaKind kind;
            if (pad == _options.ImageTokenId)
            {
                kind = MediaKind.Image;
            }
            else if (pad == _options.VideoTokenId)
            {
                kind = MediaKind.Video;
            }
            else
            {
                i++;
                continue;
            }

            int blockStart = i + 1;
            var block = kind == MediaKind.Image
                ? TakeBlock(blocks, kind, ref nextImage, blockStart, ref imagesUsed)
                : TakeBlock(blocks, kind, ref nextVideo, blockStart, ref videosUsed);
            var grid = block.Grid;
            int rows = grid.H / merge;
            int cols = grid.W / merge;
            int count = grid.T * rows * cols;
            int run = RunLength(ids, blockStart, pad);
            if (run != count)
            {
                throw new UserInputException(
                    $"The {Describe(kind)} block at index {blockStart} holds {run} pad tokens but its grid {grid.T},{grid.H},{grid.W} needs {count}.");
            }

            // The reference computes the time axis in float32 and truncates; doing the same keeps ids identical.
            float secondPerGridT = kind == MediaKind.Video ? (float)block.SecondPerGridT : 0f;
            float tokensPerSecond = _options.TokensPerSecond;
            long start = next;
            long largest = start + Math.Max(rows, cols) - 1;
            int index = blockStart;
            for (int group = 0; group < grid.T; group++)
            {
                float scaled = group * secondPerGridT;
                scaled *= tokensPerSecond;
                long time = (long)scaled + start;
                largest = Math.Max(largest, time);
                for (int row = 0; row < rows; row++)
                {
                    long rowPosition = start + row;
                    var tRow = t.Slice(index, cols);
                    var hRow = h.Slice(index, cols);
                    var wRow = w.Slice(index, cols);
                    tRow.Fill(time);
                    hRow.Fill(rowPosition);
                    for (int col = 0; col < cols; col++)
                    {
                        wRow[col] = start + col;
                    }
                    index += cols;
                }
            }
            next = largest + 1;
            i = blockStart + count;
        }

        RejectUnusedBlocks(blocks, imagesUsed, videosUsed);
        return new RopePositions(values, length, next - length);
    }

    /// <summary>Counts the vision blocks of one kind (vision_start followed by that kind's pad) in the ids.</summary>
    public int CountBlocks(ReadOnlySpan<int> ids, MediaKind kind)
    {
        int pad = kind == MediaKind.Video ? _options.VideoTokenId : _options.ImageTokenId;
        int blocks = 0;
        for (int i = 0; i + 1 < ids.Length; i++)
        {
            if (ids[i] == _options.VisionStartTokenId && ids[i + 1] == pad)
            {
                blocks++;
            }
        }
        return blocks;
    }

    /// <summary>
    /// Positions of <paramref name="count"/> generated tokens after <paramref name="pastLength"/> tokens, written to
    /// <paramref name="destination"/> as <c>[3, count]</c>: every axis is <c>pastLength + k + ropeDelta</c>.
    /// </summary>
    public static void DecodePositions(long pastLength, long ropeDelta, int count, Span<long> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, 3 * count, nameof(destination));
        long first = pastLength + ropeDelta;
        for (int k = 0; k < count; k++)
        {
            destination[k] = first + k;
        }
        destination[..count].CopyTo(destination.Slice(count, count));
        destination[..count].CopyTo(destination.Slice(2 * count, count));
    }

    private VisualBlock TakeBlock(IReadOnlyList<VisualBlock> blocks, MediaKind kind, ref int cursor, int position, ref int used)
    {
        while (cursor < blocks.Count && blocks[cursor].Kind != kind)
        {
            cursor++;
        }
        if (cursor >= blocks.Count)
        {
            throw new UserInputException(
                $"The ids hold {(kind == MediaKind.Video ? "a video" : "an image")} block at index {position} but no {Describe(kind)} grid was given for it.");
        }
        var block = blocks[cursor++];
        used++;
        var grid = block.Grid;
        int merge = _options.SpatialMergeSize;
        if (grid.T < 1 || grid.H < 1 || grid.W < 1 || grid.H % merge != 0 || grid.W % merge != 0)
        {
            throw new UserInputException(
                $"The {Describe(kind)} grid {grid.T},{grid.H},{grid.W} is not valid: t, h and w must be positive and h, w multiples of {merge}.");
        }
        if (kind == MediaKind.Video && !(double.IsFinite(block.SecondPerGridT) && block.SecondPerGridT >= 0))
        {
            throw new UserInputException($"second_per_grid_t must be a finite number >= 0, not {block.SecondPerGridT}.");
        }
        return block;
    }

    private static void RejectUnusedBlocks(IReadOnlyList<VisualBlock> blocks, int imagesUsed, int videosUsed)
    {
        int images = 0;
        for (int k = 0; k < blocks.Count; k++)
        {
            images += blocks[k].Kind == MediaKind.Image ? 1 : 0;
        }
        int videos = blocks.Count - images;
        if (images > imagesUsed || videos > videosUsed)
        {
            var kind = images > imagesUsed ? MediaKind.Image : MediaKind.Video;
            int given = kind == MediaKind.Image ? images : videos;
            int found = kind == MediaKind.Image ? imagesUsed : videosUsed;
            throw new UserInputException(
                $"{given} {Describe(kind)} grid(s) were given but the ids hold {found} {Describe(kind)} block(s) (vision_start followed by its pad token).");
        }
    }

    private static int RunLength(ReadOnlySpan<int> ids, int start, int token)
    {
        int end = start;
        while (end < ids.Length && ids[end] == token)
        {
            end++;
        }
        return end - start;
    }

    private static string Describe(MediaKind kind) => kind == MediaKind.Video ? "video" : "image";
}
