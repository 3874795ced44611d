using System.Text.Json;
using Narrator.Model.Batch;
using Narrator.Model.Exports;
using Narrator.Model.Tests.Text;

namespace Narrator.Model.Tests.Search;

/// <summary><c>narrator search RESULTS_FILE QUERY</c> through the real program, over batch results and exports it wrote.</summary>
public sealed class SearchCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("narrator-search-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static BatchReport Report() => new()
    {
        Items =
        [
            new BatchItem
            {
                File = "clips/cafe.mp4",
                Status = BatchItem.Ok,
                Text = "一个穿红衣服的女人走进了咖啡馆。",
                Translations = new Dictionary<string, string> { ["en"] = "A woman in red walks into the café." },
            },
            new BatchItem
            {
                File = "clips/film.mp4",
                Status = BatchItem.Ok,
                Segmentation = "scenes",
                Segments =
                [
                    new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 31.5, Text = "A train crosses a bridge at dawn." },
                    new NarrationSegment
                    {
                        Index = 1, StartSeconds = 31.5, EndSeconds = 64, Text = "Two detectives search the empty station.",
                        Translations = new Dictionary<string, string> { ["fr"] = "Deux détectives fouillent la gare vide." },
                    },
                ],
            },
            new BatchItem { File = "clips/broken.mp4", Status = BatchItem.Failed, Error = "detectives everywhere" },
        ],
        Totals = new BatchTotals(),
    };

    private async Task<string> WriteAsync(BatchFormat format)
    {
        string path = Path.Combine(folder, format == BatchFormat.Json ? "results.json" : "results.ndjson");
        await BatchReportFile.WriteAsync(path, Report(), format);
        return path;
    }

    [Fact]
    public async Task A_segment_hit_says_which_video_segment_and_times_with_the_match_marked()
    {
        var result = await NarratorProcess.RunAsync(null, "search", await WriteAsync(BatchFormat.Json), "detectives");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("clips/film.mp4 · segment 2 [00:00:31.500 - 00:01:04.000] · score", result.Stdout.Split('\n')[0][..^5]);
        Assert.Equal("  Two [detectives] search the empty station.", result.Stdout.Split('\n')[1]);
        Assert.Contains("1 hit(s) for detectives in 5 text(s)", result.Stderr);
    }

    [Fact]
    public async Task Chinese_and_translations_are_found_in_ndjson_results_too()
    {
        string path = await WriteAsync(BatchFormat.Ndjson);

        var chinese = await NarratorProcess.RunAsync(null, "search", path, "咖啡");
        var french = await NarratorProcess.RunAsync(null, "search", path, "gare vide", "--json");

        Assert.True(chinese.ExitCode == 0, chinese.Stderr);
        Assert.Contains("  一个穿红衣服的女人走进了[咖啡]馆。", chinese.Stdout);
        Assert.True(french.ExitCode == 0, french.Stderr);
        using var hit = JsonDocument.Parse(french.Stdout.Trim());
        Assert.Equal(("clips/film.mp4", "translation", "fr", 1, 31.5), (hit.RootElement.GetProperty("video").GetString(), hit.RootElement.GetProperty("kind").GetString(),
            hit.RootElement.GetProperty("language").GetString(), hit.RootElement.GetProperty("segment").GetInt32(), hit.RootElement.GetProperty("start").GetDouble()));
        Assert.Equal("[[29,9]]", hit.RootElement.GetProperty("highlights").GetRawText().Replace(" ", ""));
    }

    [Fact]
    public async Task An_exported_narration_can_be_searched()
    {
        string path = Path.Combine(folder, "film.json");
        await NarrationExport.WriteFileAsync(ExportFormat.Json, new TimedNarration
        {
            Video = "film.mp4",
            DurationSeconds = 64,
            Segmentation = "scenes",
            Segments = Report().Items[1].Segments!,
        }, path);

        var result = await NarratorProcess.RunAsync(null, "search", path, "bridge");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.StartsWith("film.mp4 · segment 1 [00:00:00.000 - 00:00:31.500]", result.Stdout);
    }

    [Fact]
    public async Task No_match_exits_1_and_failed_items_are_not_searched()
    {
        var result = await NarratorProcess.RunAsync(null, "search", await WriteAsync(BatchFormat.Json), "everywhere");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("0 hit(s) for everywhere", result.Stderr);
    }

    [Fact]
    public async Task A_file_that_is_not_results_is_a_user_error()
    {
        string path = Path.Combine(folder, "notes.json");
        await File.WriteAllTextAsync(path, "{\"hello\": 1}");

        var result = await NarratorProcess.RunAsync(null, "search", path, "anything");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: notes.json is not a Narrator results or export file (the document is neither a batch result nor a narration export).", result.Stderr.Trim());
    }
}
