using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Vision;

public class PatchBuilderGoldenTests
{
    private const string File = "patchify_cases.json";

    public static TheoryData<int> Cases => GoldenData.CaseNumbers(File, "cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Pixel_values_match_the_reference_flattening_to_1e5(int caseNumber)
    {
        var c = GoldenData.Load(File).GetProperty("cases")[caseNumber];
        var rgb = Convert.FromBase64String(c.GetProperty("rgb24_frames_base64").GetString()!);
        var expected = c.GetProperty("pixel_values").EnumerateArray().Select(v => v.GetSingle()).ToArray();

        var (pixelValues, grid) = PatchBuilder.Build(rgb, c.GetProperty("frames").GetInt32(), c.GetProperty("height").GetInt32(), c.GetProperty("width").GetInt32());

        Assert.Equal(c.GetProperty("grid_thw").EnumerateArray().Select(v => v.GetInt32()).ToArray(), grid.ToArray());
        var shape = c.GetProperty("pixel_values_shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.Equal(shape[0], grid.PatchCount);
        Assert.Equal(PatchBuilder.PatchDim, shape[1]);
        Assert.Equal(expected.Length, pixelValues.Length);
        var worst = 0f;
        var worstAt = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var diff = Math.Abs(expected[i] - pixelValues[i]);
            if (diff > worst)
            {
                (worst, worstAt) = (diff, i);
            }
        }
        Assert.True(worst <= 1e-5f, $"largest difference {worst} at element {worstAt}");
    }

    [Fact]
    public void A_still_is_one_frame_repeated_across_the_temporal_pair()
    {
        var frame = new byte[28 * 28 * 3];
        new Random(3).NextBytes(frame);

        var (single, grid) = PatchBuilder.Build(frame, 1, 28, 28);
        var (doubled, _) = PatchBuilder.Build([.. frame, .. frame], 2, 28, 28);

        Assert.Equal(new GridThw(1, 2, 2), grid);
        Assert.Equal(doubled, single);
    }

    [Fact]
    public void An_odd_frame_count_repeats_the_last_frame()
    {
        var frames = new byte[3 * 28 * 56 * 3];
        new Random(5).NextBytes(frames);
        var lastFrame = frames.AsSpan(2 * 28 * 56 * 3).ToArray();

        var (odd, grid) = PatchBuilder.Build(frames, 3, 28, 56);
        var (padded, _) = PatchBuilder.Build([.. frames, .. lastFrame], 4, 28, 56);

        Assert.Equal(new GridThw(2, 2, 4), grid);
        Assert.Equal(padded, odd);
    }

    [Fact]
    public void Normalisation_maps_bytes_through_clip_mean_and_std()
    {
        var frame = new byte[28 * 28 * 3];
        frame.AsSpan().Fill(255);

        var (values, _) = PatchBuilder.Build(frame, 1, 28, 28);

        // Row 0 holds red (392 values), then green, then blue.
        Assert.Equal((1f - 0.48145466f) / 0.26862954f, values[0], 1e-6f);
        Assert.Equal((1f - 0.4578275f) / 0.26130258f, values[392], 1e-6f);
        Assert.Equal((1f - 0.40821073f) / 0.27577711f, values[784], 1e-6f);
    }
}
