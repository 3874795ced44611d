using System.Diagnostics;
using System.Text.Json;
using Narrator.Model.Media;

namespace Narrator.Model.Tests.Media;

/// <summary>The `narrator plan` / `narrator frames` contracts (JSON keys, files, exit codes), run through the real program.</summary>
[Collection(SynthesisedClipsCollection.Name)]
public class CliContractTests(SynthesisedClips clips)
{
    private static readonly string[] VideoPlanKeys =
        ["nframes", "indices", "sampleFps", "secondPerGridT", "resizedWidth", "resizedHeight", "grid", "visualTokens"];

    private static readonly string[] ImagePlanKeys = ["resizedWidth", "resizedHeight", "grid", "visualTokens"];

    [Fact]
    public async Task Plan_from_numbers_prints_the_reference_plan_with_the_contract_keys()
    {
        var golden = GoldenData.Load("preprocess_and_rope_cases.json").GetProperty("video_plans")[0];

        var (exitCode, stdout, stderr) = await RunAsync("plan", "--total-frames", "720", "--video-fps", "24", "--width", "1920", "--height", "1080",
            "--fps", "2", "--min-frames", "16", "--max-frames", "96", "--max-pixels", "345744");

        Assert.True(exitCode == 0, stderr);
        var plan = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(VideoPlanKeys, plan.EnumerateObject().Select(p => p.Name));
        Assert.Equal(golden.GetProperty("nframes").GetInt32(), plan.GetProperty("nframes").GetInt32());
        Assert.Equal(Ints(golden.GetProperty("indices")), Ints(plan.GetProperty("indices")));
        Assert.Equal(golden.GetProperty("sample_fps").GetDouble(), plan.GetProperty("sampleFps").GetDouble(), 1e-9);
        Assert.Equal(golden.GetProperty("second_per_grid_t").GetDouble(), plan.GetProperty("secondPerGridT").GetDouble(), 1e-9);
        Assert.Equal(golden.GetProperty("resized_width").GetInt32(), plan.GetProperty("resizedWidth").GetInt32());
        Assert.Equal(golden.GetProperty("resized_height").GetInt32(), plan.GetProperty("resizedHeight").GetInt32());
        Assert.Equal(Ints(golden.GetProperty("video_grid_thw")), Ints(plan.GetProperty("grid")));
        Assert.Equal(golden.GetProperty("num_video_tokens").GetInt32(), plan.GetProperty("visualTokens").GetInt32());
    }

    [Fact]
    public async Task Plan_defaults_are_the_narrator_ones()
    {
        var (exitCode, stdout, _) = await RunAsync("plan", "--total-frames", "1500", "--video-fps", "25", "--width", "720", "--height", "576");

        Assert.Equal(0, exitCode);
        var plan = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(96, plan.GetProperty("nframes").GetInt32());
        Assert.Equal([48, 36, 46], Ints(plan.GetProperty("grid")));
    }

    [Fact]
    public async Task Plan_for_an_image_prints_only_the_size_grid_and_tokens()
    {
        var (exitCode, stdout, stderr) = await RunAsync("plan", "--image", "--width", "1920", "--height", "1080");

        Assert.True(exitCode == 0, stderr);
        var plan = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(ImagePlanKeys, plan.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1932, plan.GetProperty("resizedWidth").GetInt32());
        Assert.Equal(1092, plan.GetProperty("resizedHeight").GetInt32());
        Assert.Equal([1, 78, 138], Ints(plan.GetProperty("grid")));
        Assert.Equal(78 * 138 / 4, plan.GetProperty("visualTokens").GetInt32());
    }

    [Fact]
    public async Task Plan_of_a_file_prints_the_probe_and_the_plan()
    {
        var (exitCode, stdout, stderr) = await RunAsync("plan", clips.Vp9Webm);

        Assert.True(exitCode == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["probe", "plan"], root.EnumerateObject().Select(p => p.Name));
        var probe = root.GetProperty("probe");
        Assert.Equal("video", probe.GetProperty("kind").GetString());
        Assert.Equal("vp9", probe.GetProperty("videoCodec").GetString());
        Assert.Equal(30, probe.GetProperty("frameCount").GetInt32());
        Assert.True(probe.GetProperty("frameCountEstimated").GetBoolean());
        Assert.Equal(25, probe.GetProperty("averageFps").GetDouble(), 1e-9);
        var plan = root.GetProperty("plan");
        Assert.Equal(VideoPlanKeys, plan.EnumerateObject().Select(p => p.Name));
        Assert.Equal(FramePlanner.SampleIndices(30, 16), Ints(plan.GetProperty("indices")));
    }

    [Fact]
    public async Task Plan_of_a_still_uses_the_image_plan_shape()
    {
        var (exitCode, stdout, stderr) = await RunAsync("plan", clips.AlphaPng);

        Assert.True(exitCode == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("image", root.GetProperty("probe").GetProperty("kind").GetString());
        Assert.Equal(ImagePlanKeys, root.GetProperty("plan").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Frames_out_writes_the_planned_frames_and_frames_json()
    {
        var folder = clips.In("frames-out-" + Guid.NewGuid().ToString("N")[..6]);

        var (exitCode, _, stderr) = await RunAsync("frames", clips.MjpegAvi, "--out", folder, "--nframes", "6");

        Assert.True(exitCode == 0, stderr);
        var entries = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "frames.json"))).RootElement.EnumerateArray().ToList();
        Assert.Equal(FramePlanner.SampleIndices(30, 6), entries.Select(e => e.GetProperty("index").GetInt32()));
        foreach (var entry in entries)
        {
            Assert.Equal(entry.GetProperty("index").GetInt32() / 25.0, entry.GetProperty("timestamp").GetDouble(), 1e-6);
            Assert.Equal(392, entry.GetProperty("width").GetInt32());
            Assert.Equal(280, entry.GetProperty("height").GetInt32());
            var image = await File.ReadAllBytesAsync(Path.Combine(folder, entry.GetProperty("file").GetString()!));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], image[..4]);
        }
    }

    [Fact]
    public async Task Frames_pixel_values_writes_the_float32_tensor_and_its_shape()
    {
        var tensor = clips.In("pv-" + Guid.NewGuid().ToString("N")[..6] + ".bin");

        var (exitCode, _, stderr) = await RunAsync("frames", clips.H264Mp4, "--pixel-values", tensor, "--nframes", "4");

        Assert.True(exitCode == 0, stderr);
        var description = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(tensor, ".json"))).RootElement;
        Assert.Equal([2 * 20 * 28, 1176], Ints(description.GetProperty("shape")));
        Assert.Equal([2, 20, 28], Ints(description.GetProperty("grid")));
        var bytes = await File.ReadAllBytesAsync(tensor);
        Assert.Equal(2 * 20 * 28 * 1176 * 4, bytes.Length);

        var prepared = await new MediaPreparer(new MediaProber(SynthesisedClips.Tools), new FrameExtractor(SynthesisedClips.Tools))
            .PrepareAsync(clips.H264Mp4, new FrameOptions { NFrames = 4 }, CancellationToken.None);
        var written = new float[bytes.Length / 4];
        for (var i = 0; i < written.Length; i++)
        {
            written[i] = BitConverter.ToSingle(bytes, i * 4);
        }
        Assert.Equal(prepared.PixelValues, written);
    }

    [Theory]
    [InlineData("plan", "{missing}")]
    [InlineData("plan", "{text}")]
    [InlineData("frames", "{audio}", "--out", "{folder}")]
    [InlineData("plan", "{tall}")]
    [InlineData("plan", "{h264}", "--nframes", "40")]
    [InlineData("plan", "--total-frames", "abc")]
    [InlineData("plan", "--total-frames", "100", "--video-fps", "25", "--width", "320")]
    [InlineData("plan", "--total-frames", "100", "--video-fps", "25", "--width", "320", "--height", "240", "--nframes", "8", "--fps", "2")]
    [InlineData("plan", "--total-frames", "100", "--video-fps", "0", "--width", "320", "--height", "240")]
    [InlineData("plan", "--total-frames", "100", "--video-fps", "25", "--width", "320", "--height", "240", "--min-frames", "50", "--max-frames", "20")]
    [InlineData("plan", "--image", "--width", "1", "--height", "300")]
    [InlineData("frames", "{h264}")]
    public async Task User_errors_exit_2_with_one_line_and_no_stack_trace(params string[] arguments)
    {
        var expanded = arguments.Select(a => a
            .Replace("{missing}", clips.In("no-such-clip.mp4"))
            .Replace("{text}", clips.TextFile)
            .Replace("{audio}", clips.AudioOnly)
            .Replace("{tall}", clips.OneByThreeHundredPng)
            .Replace("{h264}", clips.H264Mp4)
            .Replace("{folder}", clips.In("unused-out"))).ToArray();

        var (exitCode, stdout, stderr) = await RunAsync(expanded);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout.Trim());
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.DoesNotContain(" at ", line);
        Assert.DoesNotContain("Exception", line);
    }

    [Fact]
    public async Task Help_explains_every_plan_and_frames_option()
    {
        var (planExit, planHelp, _) = await RunAsync("plan", "--help");
        var (framesExit, framesHelp, _) = await RunAsync("frames", "--help");

        Assert.Equal(0, planExit);
        Assert.Equal(0, framesExit);
        foreach (var option in new[] { "--total-frames", "--video-fps", "--width", "--height", "--image", "--fps", "--min-frames", "--max-frames", "--nframes", "--min-pixels", "--max-pixels" })
        {
            Assert.Contains(option, planHelp);
        }
        foreach (var option in new[] { "--out", "--pixel-values", "--format", "--fps", "--nframes", "--max-pixels" })
        {
            Assert.Contains(option, framesHelp);
        }
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Fact]
    public async Task Frames_of_a_playlist_is_refused_with_the_playlist_sentence_and_exit_code_2()
    {
        string playlist = Path.Combine(clips.Folder, "cli-list.m3u8");
        await File.WriteAllTextAsync(playlist, $"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile://{clips.H264Mp4}\n#EXT-X-ENDLIST\n");

        string output = Path.Combine(clips.Folder, "cli-playlist-frames");

        var (exitCode, _, stderr) = await RunAsync("frames", playlist, "--out", output, "--nframes", "2");

        Assert.Equal(2, exitCode);
        Assert.Contains(MediaFormatPolicy.PlaylistRefusal, stderr);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFiles(output).Any(), "frames were written from a playlist");
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "narrator.dll"));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(startInfo)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
