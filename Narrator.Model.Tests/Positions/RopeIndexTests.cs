using System.Text.Json;
using Narrator.Model.Media;
using Narrator.Model.Positions;
using Narrator.Model.Text;
using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Positions;

public class RopeIndexTests
{
    private static readonly RopeIndex Rope = new();

    public sealed record GoldenRopeCase(string Kind, GridThw Grid, double? SecondPerGridT, int[] Ids, long[][] Positions, long RopeDelta);

    private static readonly List<GoldenRopeCase> Golden = LoadGolden();

    public static TheoryData<int> GoldenIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Golden.Count; i++)
        {
            data.Add(i);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(GoldenIndices))]
    public void Matches_the_reference_positions_and_delta(int index)
    {
        var golden = Golden[index];
        var kind = golden.Kind == "video" ? MediaKind.Video : MediaKind.Image;
        int blocks = Rope.CountBlocks(golden.Ids, kind);
        var grids = Enumerable.Repeat(new VisualBlock(kind, golden.Grid, golden.SecondPerGridT ?? 0), blocks).ToList();

        var positions = Rope.Compute(golden.Ids, grids);

        Assert.Equal(golden.Ids.Length, positions.Length);
        for (int axis = 0; axis < 3; axis++)
        {
            Assert.Equal(golden.Positions[axis], positions.Axis(axis).ToArray());
        }
        Assert.Equal(golden.RopeDelta, positions.RopeDelta);
    }

    [Fact]
    public void Text_only_prompt_counts_up_on_all_axes_with_zero_delta()
    {
        int[] ids = QwenTokenizer.Bundled.Encode("Hello, my dog is cute");
        var positions = Rope.Compute(ids, []);
        long[] expected = [0, 1, 2, 3, 4, 5];
        Assert.Equal(expected, positions.Axis(0).ToArray());
        Assert.Equal(expected, positions.Axis(1).ToArray());
        Assert.Equal(expected, positions.Axis(2).ToArray());
        Assert.Equal(0, positions.RopeDelta);
    }

    [Fact]
    public void Video_time_axis_is_scaled_by_second_per_grid_t_and_tokens_per_second()
    {
        var prompt = new ChatPrompt(QwenTokenizer.Bundled).Build("x", VisualBlock.Video(new GridThw(4, 2, 2), 0.5));
        var positions = Rope.Compute(prompt.Ids, [VisualBlock.Video(new GridThw(4, 2, 2), 0.5)]);
        int s = prompt.VisualTokenStart;
        // floor(g * 0.5 * 2) = g: groups at s, s+1, s+2, s+3; one merged patch per group.
        Assert.Equal([s, s + 1, s + 2, s + 3], positions.Axis(0).Slice(s, 4).ToArray());
        Assert.Equal([s, s, s, s], positions.Axis(1).Slice(s, 4).ToArray());
        Assert.Equal(s + 4, positions.Axis(0)[s + 4]); // vision_end resumes after the largest position
    }

    [Fact]
    public void Decode_positions_continue_from_past_length_plus_delta_on_every_axis()
    {
        Span<long> destination = stackalloc long[6];
        RopeIndex.DecodePositions(pastLength: 920, ropeDelta: -881, count: 2, destination);
        Assert.Equal([39, 40, 39, 40, 39, 40], destination.ToArray());
    }

    [Fact]
    public void Pad_count_that_disagrees_with_the_grid_is_a_clear_error()
    {
        var golden = Golden[0];
        var error = Assert.Throws<UserInputException>(
            () => Rope.Compute(golden.Ids, [VisualBlock.Video(new GridThw(8, 16, 20), 1.0)]));
        Assert.Equal("The video block at index 15 holds 896 pad tokens but its grid 8,16,20 needs 640.", error.Message);
    }

    [Fact]
    public void A_vision_block_without_a_grid_is_a_clear_error()
    {
        var error = Assert.Throws<UserInputException>(() => Rope.Compute(Golden[0].Ids, []));
        Assert.Equal("The ids hold a video block at index 15 but no video grid was given for it.", error.Message);
    }

    [Fact]
    public void An_image_block_given_only_a_video_grid_is_a_clear_error()
    {
        var prompt = new ChatPrompt(QwenTokenizer.Bundled).Build("x", VisualBlock.Image(new GridThw(1, 2, 2)));
        var error = Assert.Throws<UserInputException>(() => Rope.Compute(prompt.Ids, [VisualBlock.Video(new GridThw(1, 2, 2), 1)]));
        Assert.Equal("The ids hold an image block at index 15 but no image grid was given for it.", error.Message);
    }

    [Fact]
    public void A_grid_without_a_vision_block_is_a_clear_error()
    {
        int[] ids = QwenTokenizer.Bundled.Encode("Hello");
        var error = Assert.Throws<UserInputException>(() => Rope.Compute(ids, [VisualBlock.Image(new GridThw(1, 2, 2))]));
        Assert.Equal("1 image grid(s) were given but the ids hold 0 image block(s) (vision_start followed by its pad token).", error.Message);
    }

    private static List<GoldenRopeCase> LoadGolden()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "golden", "preprocess_and_rope_cases.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var cases = new List<GoldenRopeCase>();
        foreach (var item in doc.RootElement.GetProperty("rope_index").EnumerateArray())
        {
            var grid = item.GetProperty("grid_thw").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var spgt = item.GetProperty("second_per_grid_t");
            cases.Add(new GoldenRopeCase(
                item.GetProperty("kind").GetString()!,
                new GridThw(grid[0], grid[1], grid[2]),
                spgt.ValueKind == JsonValueKind.Number ? spgt.GetDouble() : null,
                item.GetProperty("input_ids").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
                item.GetProperty("position_ids").EnumerateArray().Select(axis => axis.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray(),
                item.GetProperty("rope_delta").GetInt64()));
        }
        return cases;
    }
}
