using System.Text.Json;
using Narrator.Model;
using Narrator.Model.Batch;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;

namespace Narrator.Model.Tests.Batch;

public sealed class BatchRunnerTests(BatchFolderFixture folder) : IClassFixture<BatchFolderFixture>, IDisposable
{
    private readonly string outputFolder = Directory.CreateTempSubdirectory("narrator-batch-out-").FullName;

    public void Dispose() => Directory.Delete(outputFolder, recursive: true);

    [Fact]
    public async Task Good_files_get_results_bad_ones_are_failed_with_the_reason_and_non_media_is_listed()
    {
        var report = await folder.ReferenceRun;

        Assert.Equal([folder.ShortClip, folder.LongClip, folder.Corrupt, folder.Still], report.Items.Select(i => i.File));
        Assert.Equal(["ok", "ok", "failed", "ok"], report.Items.Select(i => i.Status));

        var corrupt = report.Items[2];
        var probeError = await Assert.ThrowsAsync<MediaException>(() => new MediaProber().ProbeAsync(folder.Corrupt, CancellationToken.None));
        Assert.Equal(probeError.Message, corrupt.Error);
        Assert.Null(corrupt.Text);
        Assert.Equal(new FileInfo(folder.Corrupt).Length, corrupt.Size);

        var skipped = Assert.Single(report.Totals.Skipped);
        Assert.Equal((folder.Notes, "not a video or image (extension .txt)"), (skipped.File, skipped.Reason));
        Assert.Equal((4, 3, 1, 0, false), (report.Totals.Files, report.Totals.Ok, report.Totals.Failures, report.Totals.Resumed, report.Totals.Interrupted));
        Assert.Equal("scripted", report.Totals.Model!.Name);
        Assert.Equal("test-template", report.Totals.Options!.Template);
        // Short clip, three segments of the long one, the still.
        Assert.Equal(5, folder.ReferenceEngine.Calls);
    }

    [Fact]
    public async Task A_short_clip_item_has_its_probe_plan_text_tokens_and_times()
    {
        var report = await folder.ReferenceRun;

        var item = report.Items[0];
        Assert.Equal(("video", 3.0, 25.0, 75, 160, 120), (item.Kind, item.Duration, item.Fps, item.Frames, item.Width, item.Height));
        var plan = FramePlanner.PlanVideo(75, 25, 160, 120, BatchFolderFixture.SmallFrames);
        Assert.Equal(plan.Indices, item.Plan!.Indices);
        Assert.Equal(plan.Grid.ToArray(), item.Plan.Grid);
        Assert.Equal($"Video of {plan.NFrames} frames at {plan.ResizedWidth}x{plan.ResizedHeight} from frame 0 for describe", item.Text);
        Assert.Equal("test-template", item.Template);
        Assert.Equal(plan.VisualTokens, item.Tokens!.Visual);
        Assert.Equal(item.Text!.Split(' ').Length, item.Tokens.Generated);
        Assert.True(item.Times!.TotalMs >= item.Times.ProbeMs + item.Times.PrepareMs);
        Assert.Null(item.Segments);
    }

    [Fact]
    public async Task A_long_clip_is_narrated_per_scene_with_timestamps()
    {
        var report = await folder.ReferenceRun;

        var item = report.Items[1];
        Assert.Equal("scenes", item.Segmentation);
        Assert.Null(item.Plan);
        var segments = item.Segments!;
        Assert.Equal(3, segments.Count);
        Assert.Equal([0.0, 30.0, 55.0], segments.Select(s => Math.Round(s.StartSeconds)));
        Assert.Equal(70.0, segments[^1].EndSeconds, 6);
        for (int k = 0; k < segments.Count; k++)
        {
            // Each segment was planned and decoded on its own: the engine saw frames starting at the segment's first frame.
            Assert.EndsWith($"from frame {segments[k].StartFrame} for describe", segments[k].Text, StringComparison.Ordinal);
            Assert.NotNull(segments[k].Stats);
        }
        Assert.Equal(string.Join("\n\n", segments.Select(s => s.Text)), item.Text);
        Assert.Equal(segments.Sum(s => s.Stats!.GeneratedTokens), item.Tokens!.Generated);
    }

    [Fact]
    public async Task The_still_is_narrated_as_an_image()
    {
        var report = await folder.ReferenceRun;

        var item = report.Items[3];
        Assert.Equal(("image", 1, 320, 240), (item.Kind, item.Plan!.NFrames, item.Width, item.Height));
        Assert.StartsWith("Image of 1 frames", item.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_results_file_is_items_and_totals()
    {
        await folder.ReferenceRun;

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(folder.ReferenceOutput));
        var root = document.RootElement;
        Assert.Equal(["items", "totals"], root.EnumerateObject().Select(p => p.Name));
        var first = root.GetProperty("items")[0];
        foreach (var key in new[] { "file", "status", "size", "duration", "fps", "frames", "width", "height", "plan", "template", "text", "tokens", "times" })
        {
            Assert.True(first.TryGetProperty(key, out _), $"item has no \"{key}\"");
        }
        Assert.Equal(JsonValueKind.Array, first.GetProperty("plan").GetProperty("indices").ValueKind);
        Assert.True(first.GetProperty("plan").TryGetProperty("nframes", out _));
        var failed = root.GetProperty("items")[2];
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, failed.GetProperty("error").ValueKind);
        var totals = root.GetProperty("totals");
        foreach (var key in new[] { "files", "failures", "totalSeconds", "averageSeconds", "model", "options", "skipped" })
        {
            Assert.True(totals.TryGetProperty(key, out _), $"totals has no \"{key}\"");
        }
        Assert.Equal("scenes", totals.GetProperty("options").GetProperty("segmentation").GetProperty("mode").GetString());
        Assert.False(File.Exists(folder.ReferenceOutput + ".tmp"));
    }

    [Fact]
    public async Task Ndjson_results_are_one_item_per_line_then_the_totals()
    {
        var request = Request("results.ndjson", BatchFormat.Ndjson);
        await Runner(new ScriptedEngine()).RunAsync(request);

        var lines = (await File.ReadAllTextAsync(request.OutputPath)).TrimEnd('\n').Split('\n');
        Assert.Equal(5, lines.Length);
        for (int i = 0; i < 4; i++)
        {
            using var item = JsonDocument.Parse(lines[i]);
            Assert.True(item.RootElement.TryGetProperty("file", out _));
            Assert.True(item.RootElement.TryGetProperty("status", out _));
        }
        using var totals = JsonDocument.Parse(lines[4]);
        Assert.Equal(4, totals.RootElement.GetProperty("totals").GetProperty("files").GetInt32());
    }

    [Fact]
    public async Task A_second_run_keeps_finished_items_and_runs_only_the_missing_ones()
    {
        var request = Request("results.json");
        var first = await folder.ReferenceRun;
        // Drop the short clip's result, as if the first run had stopped before it.
        await BatchReportFile.WriteAsync(request.OutputPath, first with { Items = first.Items.Skip(1).ToList() }, BatchFormat.Json);

        var engine = new ScriptedEngine();
        var second = await Runner(engine).RunAsync(request);

        Assert.Equal(1, engine.Calls);
        Assert.Equal(3, second.Totals.Resumed);
        Assert.Equal(first.Items.Select(i => (i.File, i.Status, i.Text)), second.Items.Select(i => (i.File, i.Status, i.Text)));
        Assert.Equal(first.Items[1].Times!.TotalMs, second.Items[1].Times!.TotalMs);
    }

    [Fact]
    public async Task Resume_reads_ndjson_results_too()
    {
        var request = Request("results.ndjson", BatchFormat.Ndjson);
        await Runner(new ScriptedEngine()).RunAsync(request);

        var engine = new ScriptedEngine();
        var second = await Runner(engine).RunAsync(request);

        Assert.Equal(0, engine.Calls);
        Assert.Equal(4, second.Totals.Resumed);
    }

    [Fact]
    public async Task Failed_items_are_run_again_only_when_asked()
    {
        var request = await FromReferenceAsync();

        var engine = new ScriptedEngine();
        await Runner(engine).RunAsync(request);
        Assert.Equal(0, engine.Calls);

        var retried = await Runner(engine).RunAsync(request with { RetryFailed = true });
        Assert.Equal(0, engine.Calls); // the corrupt file fails again at the probe, before the engine
        Assert.Equal(3, retried.Totals.Resumed);
        Assert.Equal("failed", retried.Items[2].Status);
    }

    [Fact]
    public async Task A_different_template_runs_everything_again()
    {
        var request = await FromReferenceAsync();

        var engine = new ScriptedEngine();
        var second = await Runner(engine).RunAsync(request with { Template = "other" });

        Assert.Equal(5, folder.ReferenceEngine.Calls);
        Assert.Equal(0, second.Totals.Resumed);
        Assert.All(second.Items, i => Assert.Equal("other", i.Template));
    }

    [Fact]
    public async Task Cancelling_keeps_the_finished_items_and_a_rerun_completes_the_rest()
    {
        var request = Request("results.json");
        using var stop = new CancellationTokenSource();
        // Stop during the long clip: after the short clip and the long clip's first segment.
        var engine = new ScriptedEngine { AfterCall = call => { if (call == 2) { stop.Cancel(); } } };

        var interrupted = await Runner(engine).RunAsync(request, cancellationToken: stop.Token);

        Assert.True(interrupted.Totals.Interrupted);
        var kept = Assert.Single(interrupted.Items);
        Assert.Equal(folder.ShortClip, kept.File);
        var onDisk = await BatchReportFile.ReadItemsAsync(request.OutputPath);
        Assert.Equal([folder.ShortClip], onDisk.Select(i => i.File));

        var rest = new ScriptedEngine();
        var resumed = await Runner(rest).RunAsync(request);
        Assert.False(resumed.Totals.Interrupted);
        Assert.Equal(1, resumed.Totals.Resumed);
        Assert.Equal(4, resumed.Totals.Files);
        Assert.Equal(4, rest.Calls);
    }

    [Fact]
    public async Task An_engine_error_on_one_file_fails_that_file_and_the_batch_goes_on()
    {
        var engine = new ScriptedEngine
        {
            FailWhen = media => media.Media.Plan.Kind == MediaKind.Image ? new InvalidOperationException("The vision encoder ran out of memory.") : null,
        };

        var report = await Runner(engine).RunAsync(Request("results.json"));

        var still = report.Items[3];
        Assert.Equal(("failed", "The vision encoder ran out of memory."), (still.Status, still.Error));
        Assert.Equal("image", still.Kind);
        Assert.Equal(["ok", "ok", "failed", "failed"], report.Items.Select(i => i.Status));
    }

    [Fact]
    public async Task An_existing_output_that_is_not_a_batch_result_is_not_overwritten()
    {
        var request = Request("results.json");
        await File.WriteAllTextAsync(request.OutputPath, "these are my notes");

        var error = await Assert.ThrowsAsync<UserInputException>(() => Runner(new ScriptedEngine()).RunAsync(request));

        Assert.StartsWith($"The existing output '{request.OutputPath}' is not a Narrator batch result", error.Message, StringComparison.Ordinal);
        Assert.Equal("these are my notes", await File.ReadAllTextAsync(request.OutputPath));
    }

    [Fact]
    public async Task Progress_reports_files_segments_and_tokens_in_order()
    {
        var progress = new RecordingProgress();

        await Runner(new ScriptedEngine()).RunAsync(Request("results.json"), progress);

        Assert.Equal("batch 4 to run, 0 kept, 1 skipped", progress.Events[0]);
        Assert.Contains($"file 2/4 {folder.LongClip}", progress.Events);
        Assert.Contains("segment 3 of 3", progress.Events);
        Assert.Equal("finished 4/4 ok", progress.Events[^1]);
        Assert.True(progress.Tokens > 0);
    }

    [Fact]
    public async Task Exports_are_written_for_each_narrated_file()
    {
        string exports = Path.Combine(outputFolder, "exports");
        var request = Request("results.json") with { Exports = [ExportFormat.Srt, ExportFormat.Ndjson], ExportFolder = exports };

        var report = await Runner(new ScriptedEngine()).RunAsync(request);

        Assert.Equal(
            ["a-short.ndjson", "a-short.srt", "b-long.ndjson", "b-long.srt", "d-still.ndjson", "d-still.srt"],
            Directory.GetFiles(exports).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([Path.Combine(exports, "b-long.srt"), Path.Combine(exports, "b-long.ndjson")], report.Items[1].Exports);
        Assert.Null(report.Items[2].Exports);
        var lines = (await File.ReadAllTextAsync(Path.Combine(exports, "b-long.ndjson"))).TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        using var last = JsonDocument.Parse(lines[2]);
        Assert.Equal("b-long.mp4", last.RootElement.GetProperty("video").GetString());
        Assert.Equal(report.Items[1].Segments![2].Text, last.RootElement.GetProperty("text").GetString());
        Assert.StartsWith("1\n00:00:00,000 --> ", await File.ReadAllTextAsync(Path.Combine(exports, "a-short.srt")), StringComparison.Ordinal);
    }

    [Fact]
    public void Export_names_follow_the_file_and_tell_apart_files_with_the_same_name()
    {
        var names = BatchRunner.ExportNames(["in/a/clip.mp4", "in/b/clip.mov", "in/b/other.mp4", "./x/clip.png"]);

        Assert.Equal("in_a_clip_mp4", names["in/a/clip.mp4"]);
        Assert.Equal("in_b_clip_mov", names["in/b/clip.mov"]);
        Assert.Equal("other", names["in/b/other.mp4"]);
        Assert.Equal("x_clip_png", names["./x/clip.png"]);
    }

    [Fact]
    public async Task A_missing_input_is_a_user_error()
    {
        var request = Request("results.json") with { Inputs = [Path.Combine(folder.Folder, "nope")] };

        var error = await Assert.ThrowsAsync<UserInputException>(() => Runner(new ScriptedEngine()).RunAsync(request));

        Assert.Equal($"'{Path.Combine(folder.Folder, "nope")}' is neither a file nor a folder.", error.Message);
    }

    private static BatchRunner Runner(ScriptedEngine engine) => new(engine, new MediaPreparer(), new VideoSegmenter());

    private BatchRequest Request(string output, BatchFormat format = BatchFormat.Json) => folder.Request(Path.Combine(outputFolder, output), format);

    /// <summary>A request whose output already holds the reference run's complete results.</summary>
    private async Task<BatchRequest> FromReferenceAsync()
    {
        await folder.ReferenceRun;
        var request = Request("results.json");
        File.Copy(folder.ReferenceOutput, request.OutputPath);
        return request;
    }

    private sealed class RecordingProgress : IBatchProgress
    {
        public List<string> Events { get; } = [];

        public int Tokens { get; private set; }

        public void OnBatchStarted(int toRun, int resumed, IReadOnlyList<SkippedFile> skipped) =>
            Events.Add($"batch {toRun} to run, {resumed} kept, {skipped.Count} skipped");

        public void OnItemStarted(string file, int position, int toRun) => Events.Add($"file {position}/{toRun} {file}");

        public void OnSegmentStarted(VideoSegment segment, int count) => Events.Add($"segment {segment.Index + 1} of {count}");

        public void OnStage(NarrationStage stage) => Events.Add($"stage {stage}");

        public void OnToken(string text) => Tokens++;

        public void OnItemFinished(BatchItem item, int position, int toRun) => Events.Add($"finished {position}/{toRun} {item.Status}");
    }
}
