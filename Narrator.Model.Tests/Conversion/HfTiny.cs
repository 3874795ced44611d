using System.Text.Json;
using Narrator.Model.Vision;

namespace Narrator.Model.Tests.Conversion;

/// <summary>
/// The tiny Qwen2.5-VL checkpoint and transformers' outputs for it, copied from the team's golden hf-tiny folder into TestData
/// (its README.md says what each file is).
/// </summary>
internal static class HfTiny
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "TestData", "hf-tiny");

    public static string Checkpoint => Path.Combine(Root, "checkpoint");

    /// <summary>A writable copy of the checkpoint folder in a new temporary folder, for tests that damage it.</summary>
    public static string CopyCheckpoint(string into)
    {
        Directory.CreateDirectory(into);
        foreach (var file in Directory.GetFiles(Checkpoint))
        {
            File.Copy(file, Path.Combine(into, Path.GetFileName(file)));
        }
        return into;
    }
}

/// <summary>One case of hf-tiny's vision/ folder: model.visual(pixel_values, grid_thw) and its intermediates.</summary>
internal sealed class HfTinyVisionCase
{
    public static readonly string[] Names =
        ["video_t2_h8_w12", "image_t1_h6_w10", "image_t1_h10_w14_partial_windows", "two_images_h6w10_h10w14"];

    private HfTinyVisionCase(string name, JsonElement json)
    {
        Name = name;
        Json = json;
        Grids = json.GetProperty("grid_thw").EnumerateArray()
            .Select(g => new GridThw(g[0].GetInt32(), g[1].GetInt32(), g[2].GetInt32())).ToArray();
    }

    public string Name { get; }

    public JsonElement Json { get; }

    public IReadOnlyList<GridThw> Grids { get; }

    public JsonElement Intermediates => Json.GetProperty("intermediates");

    public float[] PixelValues => Floats(Json.GetProperty("pixel_values"));

    public float[] Output => Floats(Json.GetProperty("output"));

    public float[] RotaryPosEmb => Floats(Intermediates.GetProperty("rotary_pos_emb_raster_order"));

    public float[] PatchEmbedOut => Floats(Intermediates.GetProperty("patch_embed_out_raster_order"));

    public float[] BlockOutputs => Floats(Intermediates.GetProperty("block_outputs_window_order"));

    public float[] MergerOutWindowOrder => Floats(Intermediates.GetProperty("merger_out_window_order"));

    public long[] Longs(string name) => Intermediates.GetProperty(name).EnumerateArray().Select(v => v.GetInt64()).ToArray();

    public int[] Ints(string name) => Intermediates.GetProperty(name).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    public static HfTinyVisionCase Load(string name)
    {
        string path = Path.Combine(HfTiny.Root, "vision", name, "case.json");
        using var stream = File.OpenRead(path);
        return new HfTinyVisionCase(name, JsonDocument.Parse(stream).RootElement.Clone());
    }

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var name in Names)
        {
            data.Add(name);
        }
        return data;
    }

    private static float[] Floats(JsonElement file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(HfTiny.Root, file.GetProperty("file").GetString()!));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
