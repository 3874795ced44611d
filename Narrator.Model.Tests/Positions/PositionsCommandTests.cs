using System.Text.Json;
using Narrator.Model.Media;
using Narrator.Model.Positions;
using Narrator.Model.Text;
using Narrator.Model.Tests.Text;
using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Positions;

public sealed class PositionsCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("narrator-positions-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task Video_positions_match_the_library_in_every_ids_file_form()
    {
        var video = VisualBlock.Video(new GridThw(6, 4, 6), 0.75);
        int[] ids = new ChatPrompt(QwenTokenizer.Bundled).Build("描述这个视频。", video).Ids;
        var expected = new RopeIndex().Compute(ids, [video]);

        string[] files =
        [
            Write("object.json", JsonSerializer.Serialize(new { ids })),
            Write("array.json", JsonSerializer.Serialize(ids)),
            Write("plain.txt", string.Join("\n", ids.Chunk(7).Select(row => string.Join("  ", row))) + "\n"),
        ];
        foreach (var file in files)
        {
            var result = await NarratorProcess.RunAsync(null, "positions", "--ids-file", file, "--video-grid", "6,4,6", "--second-per-grid-t", "0.75");
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(ExpectedJson(expected), result.Stdout);
        }
    }

    [Fact]
    public async Task One_image_grid_applies_to_every_image_block()
    {
        var image = VisualBlock.Image(new GridThw(1, 4, 4));
        var prompt = new ChatPrompt(QwenTokenizer.Bundled);
        int[] first = prompt.Build("a", image).Ids;
        int[] ids = [.. first, .. first];
        var expected = new RopeIndex().Compute(ids, [image, image]);

        var result = await NarratorProcess.RunAsync(null, "positions", "--ids-file", Write("two.json", JsonSerializer.Serialize(ids)), "--image-grid", "1,4,4");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ExpectedJson(expected), result.Stdout);
        Assert.Contains("\"ropeDelta\":-4", result.Stdout);
    }

    [Fact]
    public async Task Text_only_ids_need_no_grid()
    {
        var result = await NarratorProcess.RunAsync(null, "positions", "--ids-file", Write("t.txt", "5 6 7"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("{\"positionIds\":[[0,1,2],[0,1,2],[0,1,2]],\"ropeDelta\":0}\n", result.Stdout);
    }

    [Theory]
    [InlineData("bad.txt", "1 2 three", "error: The ids file {0} is not JSON {{\"ids\":[...]}}, a JSON array or whitespace-separated integers: \"three\" is not a non-negative integer.")]
    [InlineData("bad.json", "{\"tokens\":[1]}", "error: The ids file {0} is not JSON {{\"ids\":[...]}}, a JSON array or whitespace-separated integers: the JSON object has no \"ids\" property.")]
    [InlineData("neg.json", "[1,-2]", "error: The ids file {0} is not JSON {{\"ids\":[...]}}, a JSON array or whitespace-separated integers: item 1 (-2) is not a non-negative integer.")]
    public async Task Unreadable_ids_files_are_user_errors(string name, string content, string expected)
    {
        var file = Write(name, content);
        var result = await NarratorProcess.RunAsync(null, "positions", "--ids-file", file);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Format(expected, file) + "\n", result.Stderr);
    }

    [Fact]
    public async Task A_malformed_grid_is_a_user_error()
    {
        var result = await NarratorProcess.RunAsync(null, "positions", "--ids-file", Write("t.txt", "1"), "--video-grid", "8,16");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --video-grid must be three positive integers t,h,w (got \"8,16\").\n", result.Stderr);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string ExpectedJson(RopePositions positions) =>
        JsonSerializer.Serialize(new
        {
            positionIds = new[] { positions.Axis(0).ToArray(), positions.Axis(1).ToArray(), positions.Axis(2).ToArray() },
            ropeDelta = positions.RopeDelta,
        }) + "\n";
}
