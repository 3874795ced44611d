using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Conversion.Vision;
using Narrator.Model.Onnx;
using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Conversion;

/// <summary>hf-tiny's vision tower converted once at fp32 and shared by the tests below.</summary>
public sealed class HfTinyVisionFixture : IDisposable
{
    public HfTinyVisionFixture()
    {
        Directory.CreateDirectory(Folder);
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        Config = VisionGraphWriter.Write(checkpoint, Folder, VisionPrecision.Fp32, CancellationToken.None);
        Session = new InferenceSession(Path.Combine(Folder, Config.Filename));
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "narrator-vision-" + Guid.NewGuid().ToString("N"));

    public GenAiVisionConfig Config { get; }

    public InferenceSession Session { get; }

    /// <summary>Encodes with a budget large enough for one run per frame-group size.</summary>
    public float[] Encode(float[] pixels, IReadOnlyList<GridThw> grids, long budget = long.MaxValue / 4)
    {
        using var runOptions = new RunOptions();
        using var features = VisionEncoder.Encode(Session, Config, budget, pixels, grids, runOptions);
        return features.GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose()
    {
        Session.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

public sealed class VisionGraphWriterTests(HfTinyVisionFixture tiny) : IClassFixture<HfTinyVisionFixture>
{
    [Theory]
    [MemberData(nameof(HfTinyVisionCase.All), MemberType = typeof(HfTinyVisionCase))]
    public void Fp32_vision_graph_matches_transformers_within_1e_4(string name)
    {
        var reference = HfTinyVisionCase.Load(name);

        var features = tiny.Encode(reference.PixelValues, reference.Grids);

        AssertClose(reference.Output, features, 1e-4f, name);
    }

    [Fact]
    public void Two_images_in_one_call_equal_the_two_single_image_cases_concatenated()
    {
        var both = HfTinyVisionCase.Load("two_images_h6w10_h10w14");
        var first = HfTinyVisionCase.Load("image_t1_h6_w10");
        var second = HfTinyVisionCase.Load("image_t1_h10_w14_partial_windows");

        var features = tiny.Encode(both.PixelValues, both.Grids);

        Assert.Equal(tiny.Encode(first.PixelValues, first.Grids).Concat(tiny.Encode(second.PixelValues, second.Grids)), features);
    }

    [Theory]
    [MemberData(nameof(HfTinyVisionCase.All), MemberType = typeof(HfTinyVisionCase))]
    public void Encoding_one_frame_group_per_run_gives_the_features_of_one_run(string name)
    {
        var reference = HfTinyVisionCase.Load(name);
        long oneGroup = VisionRunPlan.BytesPerPatch(tiny.Config) * reference.Grids.Min(g => g.H * g.W);

        var grouped = tiny.Encode(reference.PixelValues, reference.Grids, oneGroup);

        Assert.Equal(reference.Grids.Sum(g => g.T), VisionEncoder.PlanRuns(tiny.Config, oneGroup, reference.Grids).Count);
        Assert.Equal(tiny.Encode(reference.PixelValues, reference.Grids), grouped);
    }

    [Fact]
    public void A_many_frame_clip_encoded_three_groups_per_run_equals_one_run_and_the_reference()
    {
        var grid = new GridThw(8, 8, 12);
        var pixels = RandomPixels(grid.PatchCount * 1176, seed: 11);
        long threeGroups = VisionRunPlan.BytesPerPatch(tiny.Config) * 3 * 96;

        var grouped = tiny.Encode(pixels, [grid], threeGroups);

        Assert.Equal([3, 3, 2], VisionEncoder.PlanRuns(tiny.Config, threeGroups, [grid]).Select(r => r.Grids.Single().T));
        Assert.Equal(tiny.Encode(pixels, [grid]), grouped);
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        AssertClose(new VisionTowerReference(checkpoint).Forward(pixels, [grid]), grouped, 1e-4f, "8 frame groups");
    }

    [Fact]
    public void The_returned_section_describes_the_graph_for_genai_config()
    {
        var config = tiny.Config;

        Assert.Equal(("vision.onnx", 2, 14, 2, 4), (config.Filename, config.SpatialMergeSize, config.PatchSize, config.TemporalPatchSize, config.WindowUnits));
        Assert.Equal((32, 2, 16, 64, 64, 4, "fp32"), (config.HiddenSize, config.NumAttentionHeads, config.HeadSize, config.IntermediateSize,
            config.OutHiddenSize, config.NumHiddenLayers, config.Precision));
        Assert.True(config.TakesGridTables);
        Assert.Null(config.Inputs.ImageGridThw);
        Assert.True(File.Exists(Path.Combine(tiny.Folder, "vision.onnx.data")));
        Assert.Equal(config.Inputs.All.Order(), tiny.Session.InputNames.Order());
    }

    [Fact]
    public void Fp16_is_refused_with_a_sentence_naming_the_overflow()
    {
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        string folder = Path.Combine(tiny.Folder, "fp16");

        var error = Assert.Throws<CheckpointException>(() => VisionGraphWriter.Write(checkpoint, folder, VisionPrecision.Fp16, CancellationToken.None));

        Assert.Contains("overflows fp16", error.Message);
        Assert.Contains("bf16", error.Message);
        Assert.False(File.Exists(Path.Combine(folder, "vision.onnx")));
    }

    internal static float[] RandomPixels(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
    }

    internal static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            float difference = Math.Abs(expected[i] - actual[i]);
            if (!(difference <= worst))
            {
                worst = difference;
                at = i;
            }
        }
        Assert.True(worst <= tolerance, $"{what}: max |difference| {worst} at {at} (expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? actual[at] : 0)})");
    }
}
