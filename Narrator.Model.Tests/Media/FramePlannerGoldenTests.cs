using System.Text.Json;
using Narrator.Model.Media;

namespace Narrator.Model.Tests.Media;

public class FramePlannerGoldenTests
{
    private const string File = "preprocess_and_rope_cases.json";

    public static TheoryData<int> Cases => GoldenData.CaseNumbers(File, "video_plans");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Video_plan_matches_the_reference_processor(int caseNumber)
    {
        var c = GoldenData.Load(File).GetProperty("video_plans")[caseNumber];

        var plan = FramePlanner.PlanVideo(
            c.GetProperty("total_frames").GetInt32(),
            c.GetProperty("video_fps").GetDouble(),
            c.GetProperty("width").GetInt32(),
            c.GetProperty("height").GetInt32(),
            OptionsOf(c.GetProperty("options")));

        Assert.Equal(MediaKind.Video, plan.Kind);
        Assert.Equal(c.GetProperty("nframes").GetInt32(), plan.NFrames);
        Assert.Equal(c.GetProperty("indices").EnumerateArray().Select(i => i.GetInt32()).ToArray(), plan.Indices);
        Assert.Equal(c.GetProperty("sample_fps").GetDouble(), plan.SampleFps, 1e-9);
        Assert.Equal(c.GetProperty("second_per_grid_t").GetDouble(), plan.SecondPerGridT, 1e-9);
        Assert.Equal(c.GetProperty("resized_height").GetInt32(), plan.ResizedHeight);
        Assert.Equal(c.GetProperty("resized_width").GetInt32(), plan.ResizedWidth);
        Assert.Equal(c.GetProperty("video_grid_thw").EnumerateArray().Select(i => i.GetInt32()).ToArray(), plan.Grid.ToArray());
        Assert.Equal(c.GetProperty("num_video_tokens").GetInt32(), plan.VisualTokens);
    }

    /// <summary>An empty options object in the reference means the qwen-vl-utils defaults, not the Narrator ones.</summary>
    private static FrameOptions OptionsOf(JsonElement options)
    {
        var result = new FrameOptions { Fps = 2.0, MinFrames = 4, MaxFrames = FramePlanner.MaxFramesCap, MaxPixels = null };
        foreach (var option in options.EnumerateObject())
        {
            result = option.Name switch
            {
                "fps" => result with { Fps = option.Value.GetDouble() },
                "min_frames" => result with { MinFrames = option.Value.GetInt32() },
                "max_frames" => result with { MaxFrames = option.Value.GetInt32() },
                "nframes" => result with { NFrames = option.Value.GetInt32() },
                "min_pixels" => result with { MinPixels = option.Value.GetInt32() },
                "max_pixels" => result with { MaxPixels = option.Value.GetInt32() },
                _ => throw new InvalidOperationException($"Unknown golden option {option.Name}"),
            };
        }
        return result;
    }
}
