using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Narrator.Model.Tests.Text;

namespace Narrator.Model.Tests.Batch;

/// <summary>`narrator batch` as a person runs it: the real CLI, the tiny demo model, the fixture folder.</summary>
public sealed class BatchCommandTests(BatchFolderFixture folder) : IClassFixture<BatchFolderFixture>, IDisposable
{
    /// <summary>Small frames and short answers keep the runs quick.</summary>
    private static readonly string[] Quick = ["--max-new-tokens", "8", "--fps", "1", "--min-frames", "4", "--max-frames", "8", "--max-pixels", "12544", "--min-pixels", "3136"];

    private readonly string outputFolder = Directory.CreateTempSubdirectory("narrator-batch-cli-").FullName;

    public void Dispose() => Directory.Delete(outputFolder, recursive: true);

    [Fact]
    public async Task A_folder_run_writes_results_lists_skips_and_exits_1_when_a_file_failed()
    {
        string output = Path.Combine(outputFolder, "results.json");

        var result = await NarratorProcess.RunAsync(null, ["batch", folder.Folder, "--out", output, "--export", "srt,ndjson", "--export", "vtt", .. Quick]);

        Assert.True(result.ExitCode == 1, result.Stderr);
        Assert.Contains($"skipped: {folder.Notes} (not a video or image (extension .txt))", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"[3/4] {folder.Corrupt}: failed: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("4 file(s): 3 ok, 1 failed, 1 skipped, 0 kept from before", result.Stderr, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        var items = document.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["ok", "ok", "failed", "ok"], items.Select(i => i.GetProperty("status").GetString()));
        Assert.Equal("cinematic-zh", items[0].GetProperty("template").GetString());
        Assert.Equal(3, items[1].GetProperty("segments").GetArrayLength());
        Assert.True(document.RootElement.GetProperty("totals").GetProperty("model").GetProperty("demo").GetBoolean());
        Assert.Equal(
            ["a-short.ndjson", "a-short.srt", "a-short.vtt", "b-long.ndjson", "b-long.srt", "b-long.vtt", "d-still.ndjson", "d-still.srt", "d-still.vtt", "results.json"],
            Directory.GetFiles(outputFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_second_run_resumes_and_runs_nothing_again()
    {
        string output = Path.Combine(outputFolder, "results.ndjson");
        var first = await NarratorProcess.RunAsync(null, ["batch", folder.Folder, "--out", output, "--template", "tags", .. Quick]);
        Assert.True(first.ExitCode == 1, first.Stderr);
        string before = await File.ReadAllTextAsync(output);

        var second = await NarratorProcess.RunAsync(null, ["batch", folder.Folder, "--out", output, "--template", "tags", .. Quick]);

        Assert.Contains("resuming: 4 file(s) already finished in the output are kept", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("0 file(s) to narrate", second.Stderr, StringComparison.Ordinal);
        string after = await File.ReadAllTextAsync(output);
        // Same items, one per line, then the totals line.
        Assert.Equal(before.Split('\n')[..4], after.Split('\n')[..4]);
        using var tagsItem = JsonDocument.Parse(after.Split('\n')[0]);
        Assert.Equal(JsonValueKind.Array, tagsItem.RootElement.GetProperty("tags").ValueKind);
    }

    [Theory]
    [InlineData("--max-segment", "8", "error: The maximum segment length (8 s) must be at least twice the minimum (5 s), so an over-long scene can always be split.")]
    [InlineData("--template", "nope", "error: There is no template \"nope\"")]
    [InlineData("--format", "xml", "error: ")]
    [InlineData("--export", "docx", "error: Unknown export format 'docx'; use one of json, ndjson, srt, vtt, txt.")]
    public async Task Bad_options_are_one_line_errors_with_exit_code_2(string option, string value, string expected)
    {
        var result = await NarratorProcess.RunAsync(null, "batch", folder.Folder, "--out", Path.Combine(outputFolder, "r.json"), option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(expected, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(outputFolder, "r.json")));
    }

    [Fact]
    public async Task A_missing_input_is_a_user_error()
    {
        var result = await NarratorProcess.RunAsync(null, "batch", Path.Combine(folder.Folder, "missing"), "--out", Path.Combine(outputFolder, "r.json"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: '{Path.Combine(folder.Folder, "missing")}' is neither a file nor a folder.\n", result.Stderr);
    }

    [Fact]
    public async Task Ctrl_c_stops_the_run_saves_what_finished_and_a_rerun_resumes()
    {
        string output = Path.Combine(outputFolder, "results.json");
        // The long clip in many short segments keeps the run busy long enough to interrupt it there.
        string[] args = ["batch", folder.ShortClip, folder.LongClip, "--out", output, "--split", "fixed", "--segment-length", "2",
            "--min-segment", "1", "--max-segment", "4", .. Quick];

        var (exitCode, stderr) = await RunAndInterruptAsync(args, line => line.StartsWith("[1/2] ", StringComparison.Ordinal) && line.Contains(": ok ("));

        Assert.True(exitCode == 130, stderr);
        Assert.Contains("interrupted: the results so far are saved; run the same command again to resume.", stderr, StringComparison.Ordinal);
        using (var saved = JsonDocument.Parse(await File.ReadAllTextAsync(output)))
        {
            var item = Assert.Single(saved.RootElement.GetProperty("items").EnumerateArray());
            Assert.Equal(folder.ShortClip, item.GetProperty("file").GetString());
            Assert.True(saved.RootElement.GetProperty("totals").GetProperty("interrupted").GetBoolean());
        }

        var rerun = await NarratorProcess.RunAsync(null, args);

        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        Assert.Contains("resuming: 1 file(s) already finished in the output are kept", rerun.Stderr, StringComparison.Ordinal);
        using var done = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        Assert.Equal(35, done.RootElement.GetProperty("items")[1].GetProperty("segments").GetArrayLength());
    }

    /// <summary>Starts the CLI, sends SIGINT once a stderr line matches, and waits for it to exit.</summary>
    private static async Task<(int ExitCode, string Stderr)> RunAndInterruptAsync(string[] args, Func<string, bool> when)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "narrator.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = new StringBuilder();
        bool sent = false;
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            stderr.AppendLine(line);
            if (!sent && when(line))
            {
                using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
                await kill.WaitForExitAsync();
                sent = true;
            }
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        await stdout;
        Assert.True(sent, "the run ended before it could be interrupted:\n" + stderr);
        return (process.ExitCode, stderr.ToString());
    }
}
